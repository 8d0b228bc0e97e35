package app

import (
	"context"
	"time"
)

// ForgetIdempotencyKeys deletes the Idempotency-Key results recorded before
// before. A retry after that is a new request, as clients of such APIs
// expect; the module runs this on a schedule (sqldb.Retain).
func (s *Service) ForgetIdempotencyKeys(ctx context.Context, before time.Time) error {
	_, err := s.store.ForgetIdempotencyKeys(ctx, before)
	return err
}
