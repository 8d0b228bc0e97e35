package messaging

import (
	"context"
	"errors"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"example.com/modmono/platform/eventbus"
)

// InProcessBus is the bus of a single process. It keeps no messages: the
// producers' outboxes are its streams, and each consuming module reads each
// of them through a relay of its own (RelayConfig.ConsumerGroup and Topics,
// see RelayGroup), which holds the module's own position in the outbox. So
// a module whose handler keeps failing holds back only its own relay: every
// other module goes on at its own pace.
//
// Each consumer group (a module) has a channel of its own. Publish on it
// blocks until the group's handler acknowledged the message, so the relay
// moves its offset only after the effect is committed: a crash in between
// makes the relay send the message again, never lose it.
//
// A message published while nobody subscribes to its topic is dropped, so
// start consumers before relays, and stop relays before consumers.
type InProcessBus struct {
	logger watermill.LoggerAdapter

	mu     sync.Mutex
	groups map[string]*gochannel.GoChannel
	closed bool
}

// InProcessBus keeps nothing: relays feed its consumers.
var _ eventbus.Feeding = (*InProcessBus)(nil)

// NewInProcessBus returns the bus of a single process.
func NewInProcessBus(logger watermill.LoggerAdapter) *InProcessBus {
	return &InProcessBus{logger: logger, groups: map[string]*gochannel.GoChannel{}}
}

// channel returns group's channel, made on first use.
func (b *InProcessBus) channel(group string) (*gochannel.GoChannel, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("in-process bus closed")
	}
	ch, ok := b.groups[group]
	if !ok {
		ch = gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, b.logger)
		b.groups[group] = ch
	}
	return ch, nil
}

// Subscriber returns the channel of consumer group. Closing what it returns
// leaves the bus open; whoever created the bus closes it.
func (b *InProcessBus) Subscriber(group string) (message.Subscriber, error) {
	ch, err := b.channel(group)
	if err != nil {
		return nil, err
	}
	return sharedSubscriber{ch}, nil
}

// Publisher returns what the relays that feed consumer group publish to:
// Publish returns once the group's handler acknowledged the message.
func (b *InProcessBus) Publisher(group string) (message.Publisher, error) {
	ch, err := b.channel(group)
	if err != nil {
		return nil, err
	}
	return sharedPublisher{ch}, nil
}

// Check is the readiness check: a bus in memory is always there.
func (b *InProcessBus) Check(context.Context) error { return nil }

// Close closes every group's channel.
func (b *InProcessBus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	var err error
	for _, ch := range b.groups {
		err = errors.Join(err, ch.Close())
	}
	return err
}

// sharedSubscriber keeps a router from closing the bus when it stops.
type sharedSubscriber struct{ message.Subscriber }

func (sharedSubscriber) Close() error { return nil }

// sharedPublisher keeps a relay from closing the bus when it stops.
type sharedPublisher struct{ message.Publisher }

func (sharedPublisher) Close() error { return nil }
