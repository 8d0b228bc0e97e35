package sqldb

import (
	"context"
	"log/slog"
	"time"
)

// Retain calls deleteBefore(now − keep) every keep/4, at most hourly, until
// ctx is done: the background half of a retention policy. A failure is
// logged as what and left for the next round.
func Retain(ctx context.Context, keep time.Duration, logger *slog.Logger, what string,
	deleteBefore func(ctx context.Context, cutoff time.Time) error) error {
	t := time.NewTicker(min(keep/4, time.Hour))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := deleteBefore(ctx, time.Now().Add(-keep)); err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "cannot forget old "+what, "error", err)
		}
	}
}
