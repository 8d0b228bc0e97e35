package app

import (
	"context"
	"time"

	"example.com/modmono/platform/messaging"
)

// Store is the port the use cases reach the orders database through. It
// exposes intent: each method opens its own transaction, read or write as
// it sees fit, and saves what the functions it calls changed together with
// the events the orders recorded (Order.Events), in that transaction.
type Store interface {
	// Order returns userID's order id, ErrNotFound if userID has none.
	Order(ctx context.Context, userID, id string) (Order, error)
	// Orders returns up to limit of userID's orders older than beforeSeq
	// (0: from the newest), newest first.
	Orders(ctx context.Context, userID string, beforeSeq int64, limit int) ([]Order, error)
	// UpdateOrder loads userID's order id (ErrNotFound) in a write
	// transaction and calls update on it; when update returns nil, it saves
	// the order and publishes its events.
	UpdateOrder(ctx context.Context, userID, id string, update func(*Order) error) error
	// UpdateUser runs update in a write transaction holding userID's lock
	// (see User), on what the module holds about userID; update's changes
	// commit when it returns nil.
	UpdateUser(ctx context.Context, userID string, update func(ctx context.Context, u User) error) error
	// UserDeleted reports whether the module applied userID's deletion.
	UserDeleted(ctx context.Context, userID string) (bool, error)
	// ForgetIdempotencyKeys forgets the Idempotency-Key results recorded
	// before before.
	ForgetIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
	// Consume binds handlers to the transaction in which the module's event
	// processor records each event it applies.
	Consume(handlers []EventHandler) []messaging.Handler
}

// EventHandler applies one event type through users, which reaches the
// module's data in the transaction that records the event in the inbox.
type EventHandler struct {
	Topic string
	Apply func(ctx context.Context, users Users, ev messaging.Event) error
}

// Users opens what the module holds about a user inside a transaction that
// someone else (the event processor) holds.
type Users interface {
	// Lock takes userID's lock (see User) and returns the user's data.
	Lock(ctx context.Context, userID string) (User, error)
}

// User is what the module holds about one user, inside a write transaction
// that holds the user's lock until it ends: concurrent events and requests
// about one user apply one after the other.
type User interface {
	// Deleted reports whether the module applied the user's deletion.
	Deleted(ctx context.Context) (bool, error)
	// MarkDeleted records that the user closed their account, as of at.
	MarkDeleted(ctx context.Context, at time.Time) error
	// Replica returns the user's replicated address.
	Replica(ctx context.Context) (Replica, error)
	// SaveReplica stores r as the user's replicated address.
	SaveReplica(ctx context.Context, r Replica) error
	// IdempotentResult returns what the user's key first produced,
	// ErrNotFound if nothing yet.
	IdempotentResult(ctx context.Context, key string) (IdempotentResult, error)
	// AddOrder stores the new order o and publishes its events; with a key,
	// it records r as that key's result (ErrKeyTaken if a concurrent
	// transaction did first). If the user is deleted, the transaction fails
	// with ErrUserDeleted, from AddOrder or from the commit.
	AddOrder(ctx context.Context, o Order, key string, r IdempotentResult) error
	// OpenOrders returns the user's orders that can still be cancelled.
	OpenOrders(ctx context.Context) ([]Order, error)
	// SaveOrder stores o's status and publishes its events.
	SaveOrder(ctx context.Context, o Order) error
	// Erase replaces every order's shipping address a with erased(a) and
	// forgets the address replica, the Idempotency-Key results and the
	// user's events in the module's poison queue and relayed outbox.
	Erase(ctx context.Context, erased func(Address) Address) error
}
