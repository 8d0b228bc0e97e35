// Package app holds the notifications domain: it turns events into
// notifications, lists them, and hands each to the Sender.
package app

import (
	"context"
	"time"

	"example.com/modmono/platform/sqldb"
)

// Kinds of notification.
const (
	KindWelcome        = "welcome"
	KindAddressChanged = "address_changed"
	KindOrderPlaced    = "order_placed"
	KindOrderCancelled = "order_cancelled"
)

// Notification is a message to a user, made from one event. Email and Name
// come from the recipient replica and are empty while the recipient is
// unknown.
type Notification struct {
	Seq       int64 // insertion order; keyset pagination
	ID        string
	UserID    string
	Kind      string
	Subject   string
	Body      string
	EventID   string
	CreatedAt time.Time
	Email     string
	Name      string
}

// Querier is a database handle or the transaction of a use case.
type Querier = sqldb.Querier

// Store is what the use cases need of the notifications database. Each
// method runs on q, so that a handler's reads and writes share its
// transaction.
type Store interface {
	// PutRecipient stores a user's contact details, unless the user is deleted.
	PutRecipient(ctx context.Context, q Querier, userID, email, name string) error
	// ForgetRecipient deletes userID's notifications and contact details and
	// keeps a tombstone, so late events about them create nothing.
	ForgetRecipient(ctx context.Context, q Querier, userID string, at time.Time) error
	// IsRecipientDeleted reports whether the module applied userID's
	// deletion (one primary-key probe).
	IsRecipientDeleted(ctx context.Context, q Querier, userID string) (bool, error)
	// Insert stores n unless its user is deleted.
	Insert(ctx context.Context, q Querier, n Notification) error
	// LockUser makes the transaction of q the only one, until it ends,
	// changing what the module holds about userID: concurrent events about
	// one user apply one after the other.
	LockUser(ctx context.Context, q Querier, userID string) error
	// ListByUser returns up to limit of userID's notifications older than
	// beforeSeq (0: from the newest), newest first.
	ListByUser(ctx context.Context, q Querier, userID string, beforeSeq int64, limit int) ([]Notification, error)
}

// Queue is the stored notifications in the order stored, which one process
// at a time hands out.
type Queue interface {
	// Run hands each stored notification, oldest first, to send until ctx
	// is done. One that send fails is handed again, with those after it,
	// after a backoff: none is skipped or overtaken. After a crash, some may
	// be handed again.
	Run(ctx context.Context, send func(context.Context, Notification) error) error
}

// Service runs the notifications use cases against the notifications database.
type Service struct {
	db     *sqldb.DB
	store  Store
	queue  Queue
	sender Sender
}

// New returns the Service working on db through store; sender delivers
// the notifications queue holds.
func New(db *sqldb.DB, store Store, queue Queue, sender Sender) *Service {
	return &Service{db: db, store: store, queue: queue, sender: sender}
}

func now() time.Time { return time.Now().UTC() }
