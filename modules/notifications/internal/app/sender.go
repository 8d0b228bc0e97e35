package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"example.com/modmono/platform/sqldb"
)

// Sender delivers a stored notification to its recipient: by e-mail, a
// webhook, or (the default) a log line. Send may be called more than once
// for the same notification after a crash; Notification.ID tells repeats.
type Sender interface {
	Send(ctx context.Context, n Notification) error
}

// LogSender "sends" by writing a structured log line. The line names the
// notification by its ids and kind only: logs are kept and shipped far
// more widely than the database, and must carry no e-mail address, name
// or text about the user.
type LogSender struct{ Logger *slog.Logger }

// Send logs n.
func (s LogSender) Send(ctx context.Context, n Notification) error {
	s.Logger.InfoContext(ctx, "notification sent", "notification_id", n.ID, "user_id", n.UserID, "kind", n.Kind)
	return nil
}

// Dispatch hands every stored, unsent notification to the Sender, oldest
// first, until ctx is done. wake signals that new ones may be stored; a slow
// poll covers the rest. A failed send is retried with backoff, so nothing
// stored is ever skipped (SetRetry tunes the backoff).
//
// Only one Dispatch sends at a time, across every process on the database:
// the one holding the claim on the cursor. The others poll for the claim to
// lapse, which a crashed holder's does after senderLease. Notifications
// other processes store are sent after at most the poll (2 s on
// PostgreSQL); waking the holder from every process would cost a NOTIFY per
// notification, which serialises PostgreSQL's commits.
//
// After a wake-up it lingers briefly before reading, so that a burst of
// notifications is sent and marked in one batch instead of one write each.
func (s *Service) Dispatch(ctx context.Context, wake <-chan struct{}) error {
	const linger = 20 * time.Millisecond
	firstBackoff, maxBackoff := s.retry.first, s.retry.max
	// Other processes' notifications (PostgreSQL) wake no one here: they
	// are picked up by the poll.
	poll := 30 * time.Second
	if s.db.Dialect() == sqldb.Postgres {
		poll = 2 * time.Second
	}
	claim := &senderClaim{owner: uuid.NewString()}
	backoff := firstBackoff
	for {
		sent, waiting, err := s.dispatchBatch(ctx, claim)
		wait := poll
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errNotHolder):
			wait = senderLease / 3
		case err != nil:
			s.logger.ErrorContext(ctx, "sending notifications failed", "error", err, "retry_in", backoff.String())
			wait, backoff = backoff, min(2*backoff, maxBackoff)
		case sent == dispatchBatchSize:
			backoff = firstBackoff
			continue // more may be waiting
		case sent > 0:
			// A short batch: linger before the next, which would hold
			// only what arrived meanwhile and cost a write of its own.
			backoff, wait = firstBackoff, linger
		case waiting:
			// Stored, but behind transactions still running: those end
			// within milliseconds and announce nothing.
			wait = time.Millisecond
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

// retryPolicy is how long Dispatch waits after a failed send: first, then
// twice as long each time, up to max.
type retryPolicy struct{ first, max time.Duration }

// SetRetry sets Dispatch's backoff after a failed send: first, doubling up
// to max (defaults: 1s and 1m). Call it before Dispatch.
func (s *Service) SetRetry(first, max time.Duration) {
	if first > 0 && max >= first {
		s.retry = retryPolicy{first: first, max: max}
	}
}

// senderLease is how long a claim on the Sender lasts unless renewed.
const senderLease = 15 * time.Second

var errNotHolder = errors.New("another process holds the sender")

// senderClaim is one Dispatch's claim on the Sender.
type senderClaim struct {
	owner string
	until time.Time
}

// claim takes or renews c when a third of it has passed; a claim held
// longer needs no write.
func (s *Service) claim(ctx context.Context, c *senderClaim) error {
	now := time.Now()
	if c.until.Sub(now) > senderLease*2/3 {
		return nil
	}
	held, err := s.store.ClaimSender(ctx, s.db.Write, c.owner, now.Add(senderLease), now)
	if err != nil {
		return err
	}
	if !held {
		c.until = time.Time{}
		return errNotHolder
	}
	c.until = now.Add(senderLease)
	return nil
}

// dispatchBatchSize is how many notifications one batch sends at most.
const dispatchBatchSize = 100

func (s *Service) dispatchBatch(ctx context.Context, c *senderClaim) (sent int, waiting bool, err error) {
	if err := s.claim(ctx, c); err != nil {
		return 0, false, err
	}
	batch, waiting, err := s.store.Unsent(ctx, s.db.Read, dispatchBatchSize)
	if err != nil {
		return 0, false, err
	}
	var sendErr error
	for _, n := range batch {
		if sendErr = s.sender.Send(ctx, n); sendErr != nil {
			break
		}
		sent++
	}
	if sent > 0 {
		ok, err := s.store.MarkSentThrough(ctx, s.db.Write, c.owner, batch[sent-1])
		if err != nil {
			return 0, false, err
		}
		if !ok {
			// The claim lapsed mid-batch and another took over: it sends
			// these again, which Sender allows (Notification.ID tells).
			c.until = time.Time{}
			return 0, false, errNotHolder
		}
	}
	return sent, waiting, sendErr
}
