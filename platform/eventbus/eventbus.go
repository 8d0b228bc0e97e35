// Package eventbus declares the event bus a server's relays publish to and
// its consumers read, which the in-process bus (messaging.InProcessBus) and
// NATS JetStream (natsbus.Bus) implement.
//
// A bus is one of two kinds: one that keeps each message until every
// consumer group took it (Relaying: NATS JetStream), fed by one relay per
// outbox; or one that keeps nothing (Feeding: in memory), where each
// consumer of each topic reads the producer's outbox through a relay of its
// own. Either way each consumer keeps its own position, so one that keeps
// failing delays nobody else.
package eventbus

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Bus is what every kind of bus offers: consumer groups' subscribers and a
// readiness check.
type Bus interface {
	// Subscriber returns the subscriber of a consumer group (a module):
	// each event reaches every group once.
	Subscriber(group string) (message.Subscriber, error)
	// Check is the bus's readiness check.
	Check(ctx context.Context) error
}

// Relaying is a bus that keeps messages for every consumer group.
type Relaying interface {
	Bus
	// RelayPublisher is what one relay publishes through, and, when that
	// returns before the bus stored a message, how to wait until it did.
	RelayPublisher() (message.Publisher, func(context.Context) error)
}

// Feeding is a bus that keeps no messages: what a relay publishes reaches a
// consumer group only while it subscribes.
type Feeding interface {
	Bus
	// Publisher is what the relays of consumer group publish to.
	Publisher(group string) (message.Publisher, error)
}
