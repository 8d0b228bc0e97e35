package app

import (
	"context"
	"log/slog"
	"time"

	"example.com/modmono/platform/sqldb"
)

// ForgetIdempotencyKeys deletes Idempotency-Key results older than ttl,
// every ttl/4 (at most hourly), until ctx is done. A retry after ttl is a
// new request, as clients of such APIs expect.
func (s *Service) ForgetIdempotencyKeys(ctx context.Context, ttl time.Duration, logger *slog.Logger) error {
	return sqldb.Retain(ctx, ttl, logger, "idempotency keys", func(ctx context.Context, cutoff time.Time) error {
		_, err := s.store.SweepIdempotencyKeys(ctx, s.db.Write, cutoff)
		return err
	})
}
