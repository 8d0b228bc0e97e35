package app

import (
	"context"
	"log/slog"
	"time"
)

// Sender delivers a stored notification to its recipient: by e-mail, a
// webhook, or (the default) a log line. Send may be called more than once
// for the same notification after a crash; Notification.ID tells repeats.
type Sender interface {
	Send(ctx context.Context, n Notification) error
}

// LogSender "sends" by writing a structured log line.
type LogSender struct{ Logger *slog.Logger }

// Send logs n.
func (s LogSender) Send(ctx context.Context, n Notification) error {
	s.Logger.InfoContext(ctx, "notification sent", "notification_id", n.ID, "user_id", n.UserID,
		"to", n.Email, "kind", n.Kind, "subject", n.Subject)
	return nil
}

// Dispatch hands every stored, unsent notification to the Sender, oldest
// first, until ctx is done. wake signals that new ones may be stored; a slow
// poll covers the rest. A failed send is retried with backoff, so nothing
// stored is ever skipped.
//
// After a wake-up it lingers briefly before reading, so that a burst of
// notifications is sent and marked in one batch instead of one write each.
func (s *Service) Dispatch(ctx context.Context, wake <-chan struct{}) error {
	const poll, linger, maxBackoff = 30 * time.Second, 20 * time.Millisecond, time.Minute
	backoff := time.Second
	for {
		sent, err := s.dispatchBatch(ctx)
		wait := poll
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			s.logger.ErrorContext(ctx, "sending notifications failed", "error", err, "retry_in", backoff)
			wait, backoff = backoff, min(2*backoff, maxBackoff)
		case sent > 0:
			backoff = time.Second
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
			t.Reset(linger)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
		case <-t.C:
		}
		t.Stop()
	}
}

func (s *Service) dispatchBatch(ctx context.Context) (int, error) {
	batch, err := s.store.Unsent(ctx, s.db.Read, 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	var sendErr error
	for _, n := range batch {
		if sendErr = s.sender.Send(ctx, n); sendErr != nil {
			break
		}
		sent++
	}
	if sent > 0 {
		if err := s.store.MarkSentThrough(ctx, s.db.Write, batch[sent-1]); err != nil {
			return 0, err
		}
	}
	return sent, sendErr
}
