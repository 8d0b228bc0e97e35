// Package app holds the notifications domain: it turns events into
// notifications, lists them, and hands each to the Sender. It holds no
// transaction: the Store port opens them, and binds the event handlers to
// the transaction of the module's event processor (Store.Consume).
package app

import (
	"context"
	"time"
)

// Queue is the stored notifications in the order stored, which one process
// at a time hands out.
type Queue interface {
	// Run hands each stored notification, oldest first, to send until ctx
	// is done. One that send fails is handed again, with those after it,
	// after a backoff: none is skipped or overtaken. After a crash, some may
	// be handed again.
	Run(ctx context.Context, send func(context.Context, Notification) error) error
}

// Service runs the notifications use cases through a Store.
type Service struct {
	store  Store
	queue  Queue
	sender Sender
}

// New returns the Service working through store; sender delivers the
// notifications queue holds.
func New(store Store, queue Queue, sender Sender) *Service {
	return &Service{store: store, queue: queue, sender: sender}
}

func now() time.Time { return time.Now().UTC() }
