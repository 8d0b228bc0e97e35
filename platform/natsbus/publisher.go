package natsbus

import (
	"context"
	"fmt"
	"sync"

	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
)

// dedupMarshaler marks each message with its subject and UUID as the
// JetStream message id, so the stream drops a copy published again within
// its duplicates window (a relay that crashed before storing its offset).
// The UUID alone would not do: the stream holds every topic, and one UUID
// may travel on several.
type dedupMarshaler struct{ wmnats.NATSMarshaler }

func (m dedupMarshaler) Marshal(subject string, msg *message.Message) (*nats.Msg, error) {
	out, err := m.NATSMarshaler.Marshal(subject, msg)
	if err != nil {
		return nil, err
	}
	out.Header.Set(nats.MsgIdHdr, subject+" "+msg.UUID)
	return out, nil
}

// Publish puts msgs on topic and returns once JetStream stored each.
func (b *Bus) Publish(topic string, msgs ...*message.Message) error {
	p := b.Pipeline()
	if err := p.Publish(topic, msgs...); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.AckWait)
	defer cancel()
	return p.Confirm(ctx)
}

// Pipeline returns a publisher that does not wait for JetStream after each
// message: a relay publishes a run of events back to back, and calls
// Confirm before it records them as relayed. One Pipeline per relay.
func (b *Bus) Pipeline() *Pipeline { return &Pipeline{bus: b} }

// Pipeline publishes without waiting; Confirm waits.
type Pipeline struct {
	bus     *Bus
	mu      sync.Mutex
	pending []nats.PubAckFuture
}

// Publish hands msgs to JetStream in order, and returns without waiting for
// JetStream to store them.
func (p *Pipeline) Publish(topic string, msgs ...*message.Message) error {
	subject := p.bus.subject(topic)
	for _, msg := range msgs {
		m, err := dedupMarshaler{}.Marshal(subject, msg)
		if err != nil {
			return err
		}
		f, err := p.bus.js.PublishMsgAsync(m)
		if err != nil {
			return fmt.Errorf("natsbus: publish %s: %w", msg.UUID, err)
		}
		p.mu.Lock()
		p.pending = append(p.pending, f)
		p.mu.Unlock()
	}
	return nil
}

// Confirm waits until JetStream stored, or refused, every message Publish
// handed it since the last Confirm, and returns the first refusal: the
// caller then publishes them all again (JetStream drops the copies it
// already has, by message id).
func (p *Pipeline) Confirm(ctx context.Context) error {
	p.mu.Lock()
	pending := p.pending
	p.pending = nil
	p.mu.Unlock()
	var first error
	for _, f := range pending {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if first == nil {
				first = fmt.Errorf("natsbus: JetStream did not store %s: %w", f.Msg().Header.Get(nats.MsgIdHdr), err)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return first
}

// RelayPublisher is a Pipeline of the relay's own, and its Confirm.
func (b *Bus) RelayPublisher() (message.Publisher, func(context.Context) error) {
	p := b.Pipeline()
	return p, p.Confirm
}

// Close does nothing: the Bus owns the connection.
func (p *Pipeline) Close() error { return nil }
