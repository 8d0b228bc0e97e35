// Package app holds the orders domain and its use cases, one per file, and
// the handlers of the users events orders keeps a replica from. It holds no
// transaction: the Store port opens them, loads, saves and publishes.
package app

import (
	"errors"
	"time"

	"example.com/modmono/platform/apperror"
)

// Service runs the orders use cases through a Store.
type Service struct {
	store    Store
	maxItems int
}

// New returns the Service working through store. An order holds at most
// maxItems lines.
func New(store Store, maxItems int) *Service {
	return &Service{store: store, maxItems: maxItems}
}

// ErrNotFound is what a Store returns when no row matches.
var ErrNotFound = errors.New("not found")

// ErrKeyTaken is what a Store returns when an Idempotency-Key it is asked to
// record was recorded by a concurrent transaction.
var ErrKeyTaken = errors.New("idempotency key taken")

// ErrUserDeleted is the error of a transaction that added an order of a
// user whose deletion the module has applied (see User.AddOrder).
var ErrUserDeleted = errors.New("user deleted")

func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return apperror.New(apperror.NotFound, "No such order.")
	}
	return err
}

func now() time.Time { return time.Now().UTC() }
