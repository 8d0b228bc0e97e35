package app

import (
	"context"
	"log/slog"
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

// Dispatch hands every stored notification to the Sender, in the order
// stored, until ctx is done. The first that fails stops the round: it is
// sent again, before any after it, after a backoff, so a failing webhook
// leaves them stored and nothing is skipped.
func (s *Service) Dispatch(ctx context.Context) error {
	return s.queue.Run(ctx, s.sender.Send)
}
