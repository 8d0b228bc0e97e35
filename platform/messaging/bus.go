package messaging

import (
	"context"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
)

// InProcessBus is the bus of a single process. Publish blocks until every
// subscriber has acknowledged the message, so the relay moves its offset
// only after the consumers committed their effect: a crash in between makes
// the relay send the message again, never lose it.
//
// A message published while no consumer subscribes to its topic is dropped,
// as no module running here needs it; so start consumers before relays, and
// stop relays before consumers.
type InProcessBus struct{ *gochannel.GoChannel }

// NewInProcessBus returns the bus of a single process.
func NewInProcessBus(logger watermill.LoggerAdapter) *InProcessBus {
	return &InProcessBus{gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)}
}

// Subscriber returns the bus for any consumer group: every subscription
// gets each message. Closing what it returns leaves the bus open; whoever
// created the bus closes it.
func (b *InProcessBus) Subscriber(string) (message.Subscriber, error) {
	return sharedSubscriber{b.GoChannel}, nil
}

// RelayPublisher is the bus itself: Publish returns once every consumer
// acknowledged, so there is nothing to confirm.
func (b *InProcessBus) RelayPublisher() (message.Publisher, func(context.Context) error) {
	return b.GoChannel, nil
}

// Check is the readiness check: a bus in memory is always there.
func (b *InProcessBus) Check(context.Context) error { return nil }

// sharedSubscriber keeps a router from closing the bus when it stops.
type sharedSubscriber struct{ message.Subscriber }

func (sharedSubscriber) Close() error { return nil }
