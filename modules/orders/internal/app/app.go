// Package app holds the orders use cases, one per file, and the handlers of
// the users events orders keeps a replica from.
package app

import (
	"errors"
	"time"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/store"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqlitedb"
)

// Service runs the orders use cases against the orders database.
type Service struct {
	db     *sqlitedb.DB
	outbox *messaging.Outbox
}

// New returns the Service.
func New(db *sqlitedb.DB, outbox *messaging.Outbox) *Service {
	return &Service{db: db, outbox: outbox}
}

// Order is an order as the API shows it.
type Order = store.Order

// Item is one order line.
type Item = store.Item

func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperror.New(apperror.NotFound, "No such order.")
	}
	return err
}

func cancelledEvent(o Order, reason string, at time.Time) events.OrderCancelled {
	return events.OrderCancelled{OrderID: o.ID, UserID: o.UserID, Reason: reason, CancelledAt: at}
}

func now() time.Time { return time.Now().UTC() }
