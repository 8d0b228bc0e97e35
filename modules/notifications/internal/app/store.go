package app

import (
	"context"
	"time"

	"example.com/modmono/platform/messaging"
)

// Store is the port the use cases reach the notifications database
// through. It exposes intent: each method opens its own transaction, read
// or write as it sees fit.
type Store interface {
	// Notifications returns up to limit of userID's notifications older
	// than beforeSeq (0: from the newest), newest first, each with its
	// recipient's contact details.
	Notifications(ctx context.Context, userID string, beforeSeq int64, limit int) ([]Notification, error)
	// RecipientDeleted reports whether the module applied userID's
	// deletion (one primary-key probe).
	RecipientDeleted(ctx context.Context, userID string) (bool, error)
	// Consume binds handlers to the transaction in which the module's event
	// processor records each event it applies.
	Consume(handlers []EventHandler) []messaging.Handler
}

// EventHandler applies one event type through recipients, which reaches the
// module's data in the transaction that records the event in the inbox.
type EventHandler struct {
	Topic string
	Apply func(ctx context.Context, recipients Recipients, ev messaging.Event) error
}

// Recipients opens what the module holds about a user inside a transaction
// that someone else (the event processor) holds.
type Recipients interface {
	// Lock makes the transaction the only one, until it ends, changing what
	// the module holds about userID, and returns it: concurrent events about
	// one user apply one after the other.
	Lock(ctx context.Context, userID string) (Recipient, error)
}

// Recipient is what the module holds about one user, inside a write
// transaction holding the user's lock. Once the user's deletion is applied
// (Erase), the user keeps a tombstone and nothing new is stored about them:
// events of different topics may arrive in any order, or late.
type Recipient interface {
	// SaveContact stores the user's contact details, unless the user is
	// deleted.
	SaveContact(ctx context.Context, c Contact) error
	// AddNotification stores n, unless the user is deleted.
	AddNotification(ctx context.Context, n Notification) error
	// Erase deletes the user's notifications, contact details and events in
	// the module's poison queue, and keeps a tombstone of the deletion at at.
	Erase(ctx context.Context, at time.Time) error
}
