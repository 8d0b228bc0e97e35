package app

import (
	"context"
	"log/slog"
	"time"

	"example.com/modmono/modules/orders/internal/store"
)

// ForgetIdempotencyKeys deletes Idempotency-Key results older than ttl,
// every ttl/4 (at most hourly), until ctx is done. A retry after ttl is a
// new request, as clients of such APIs expect.
func (s *Service) ForgetIdempotencyKeys(ctx context.Context, ttl time.Duration, logger *slog.Logger) error {
	t := time.NewTicker(min(ttl/4, time.Hour))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if _, err := store.SweepIdempotencyKeys(ctx, s.db.Write, now().Add(-ttl)); err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "cannot forget old idempotency keys", "error", err)
		}
	}
}
