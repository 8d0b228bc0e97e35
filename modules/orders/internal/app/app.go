// Package app holds the orders domain and its use cases, one per file, and
// the handlers of the users events orders keeps a replica from.
package app

import (
	"context"
	"errors"
	"time"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// Service runs the orders use cases against the orders database.
type Service struct {
	db       *sqldb.DB
	store    Store
	outbox   *messaging.Outbox
	maxItems int
}

// New returns the Service working on db through store. An order holds at
// most maxItems lines.
func New(db *sqldb.DB, store Store, outbox *messaging.Outbox, maxItems int) *Service {
	return &Service{db: db, store: store, outbox: outbox, maxItems: maxItems}
}

// ErrNotFound is what a Store returns when no row matches.
var ErrNotFound = errors.New("not found")

// ErrKeyTaken is what a Store returns when an Idempotency-Key it is asked to
// record was recorded by a concurrent transaction.
var ErrKeyTaken = errors.New("idempotency key taken")

// ErrUserDeleted is the error of a transaction that inserted an order of a
// user whose deletion the module has applied (see Store.Insert).
var ErrUserDeleted = errors.New("user deleted")

// Querier is a database handle or the transaction of a use case.
type Querier = sqldb.Querier

// Store is what the use cases need of the orders database. Each method runs
// on q, so that a use case's reads and writes share its transaction.
type Store interface {
	// Insert stores o, unless its user is deleted: then the transaction
	// fails with ErrUserDeleted, from Insert, a later statement, or the
	// commit. o.Seq is not read back.
	Insert(ctx context.Context, q Querier, o Order) error
	ByID(ctx context.Context, q Querier, userID, id string) (Order, error)
	// ListByUser returns up to limit of userID's orders older than
	// beforeSeq (0: from the newest), newest first.
	ListByUser(ctx context.Context, q Querier, userID string, beforeSeq int64, limit int) ([]Order, error)
	OpenByUser(ctx context.Context, q Querier, userID string) ([]Order, error)
	SetStatus(ctx context.Context, q Querier, id, status string, at time.Time) error
	// UpdateShippingAddresses replaces the shipping address a of each of
	// userID's orders with change(a).
	UpdateShippingAddresses(ctx context.Context, q Querier, userID string, change func(Address) Address) error

	IdempotencyKey(ctx context.Context, q Querier, userID, key string) (IdempotentResult, error)
	PutIdempotencyKey(ctx context.Context, q Querier, userID, key string, r IdempotentResult, at time.Time) error
	SweepIdempotencyKeys(ctx context.Context, q Querier, before time.Time) (int64, error)
	DeleteIdempotencyKeys(ctx context.Context, q Querier, userID string) error

	UserAddress(ctx context.Context, q Querier, userID string) (Address, error)
	// PutUserAddress stores userID's address as of at, unless a newer one
	// is already stored.
	PutUserAddress(ctx context.Context, q Querier, userID string, a Address, at time.Time) error
	DeleteUserAddress(ctx context.Context, q Querier, userID string) error
	MarkUserDeleted(ctx context.Context, q Querier, userID string, at time.Time) error
	IsUserDeleted(ctx context.Context, q Querier, userID string) (bool, error)
	// LockUser makes the transaction of q the only one, until it ends,
	// changing what the module holds about userID: concurrent events and
	// requests about one user apply one after the other.
	LockUser(ctx context.Context, q Querier, userID string) error
}

func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return apperror.New(apperror.NotFound, "No such order.")
	}
	return err
}

func cancelledEvent(o Order, reason string, at time.Time) events.OrderCancelled {
	return events.OrderCancelled{OrderID: o.ID, UserID: o.UserID, Reason: reason, CancelledAt: at}
}

func now() time.Time { return time.Now().UTC() }
