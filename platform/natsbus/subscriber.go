package natsbus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Subscriber returns a subscriber of consumer group, on a connection of its
// own: each event of a topic reaches one subscriber of every group,
// whichever process it runs in. Closing it closes the connection.
func (b *Bus) Subscriber(group string) (message.Subscriber, error) {
	if group == "" {
		return nil, errors.New("natsbus: a subscriber needs a consumer group")
	}
	conn, err := b.connect("subscriber " + group)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &subscriber{bus: b, group: group, conn: conn, js: js, closing: make(chan struct{})}, nil
}

// subscriber pulls each topic from the group's durable consumer of it.
//
// watermill-nats's own JetStream subscriber closes its output channel while
// a NATS callback may still be sending to it: a data race that -race reports
// under Watermill's TestPubSub, and a possible panic at shutdown. This one
// pulls in goroutines of its own and closes the output only after they
// have all returned; the wire format stays watermill-nats's.
type subscriber struct {
	bus     *Bus
	group   string
	conn    *nats.Conn
	js      jetstream.JetStream
	closing chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// Subscribe creates (or joins) the group's durable consumer of topic and
// delivers its events until ctx is done or the subscriber closes.
func (s *subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	select {
	case <-s.closing:
		return nil, errors.New("natsbus: subscriber closed")
	default:
	}
	subject := s.bus.subject(topic)
	cons, err := s.js.CreateOrUpdateConsumer(ctx, s.bus.cfg.Stream, jetstream.ConsumerConfig{
		Durable:       durable(s.group, subject),
		FilterSubject: subject,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.bus.cfg.AckWait,
		MaxDeliver:    -1, // the consumer's poison queue decides when to give up
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: consumer of %s for %s: %w", topic, s.group, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(2 * s.bus.cfg.Subscribers))
	if err != nil {
		return nil, fmt.Errorf("natsbus: pull %s for %s: %w", topic, s.group, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan *message.Message)
	var handling sync.WaitGroup
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.pull(ctx, it, out, &handling)
		handling.Wait()
		close(out)
		cancel()
	}()
	go func() {
		select {
		case <-ctx.Done():
		case <-s.closing:
			cancel()
		}
		it.Stop()
	}()
	return out, nil
}

// pull hands out each event of it as soon as fewer than Subscribers are
// being handled, and settles each with JetStream in a goroutine of its own
// once the handler is done: no event waits behind a slow one.
func (s *subscriber) pull(ctx context.Context, it jetstream.MessagesContext, out chan<- *message.Message, handling *sync.WaitGroup) {
	var unmarshaler wmnats.NATSMarshaler
	slots := make(chan struct{}, s.bus.cfg.Subscribers)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		m, err := it.Next()
		if err != nil {
			<-slots
			if ctx.Err() == nil && !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				s.bus.logger.Error("Cannot pull an event", err, watermill.LogFields{"group": s.group})
				continue
			}
			return
		}
		msg, err := unmarshaler.Unmarshal(&nats.Msg{Subject: m.Subject(), Header: m.Headers(), Data: m.Data()})
		if err != nil {
			<-slots
			// Not ours to read: leave it to expire rather than loop on it.
			s.bus.logger.Error("Cannot read an event, dropping it", err, watermill.LogFields{"subject": m.Subject()})
			_ = m.Term()
			continue
		}
		msgCtx, cancel := context.WithCancel(ctx)
		msg.SetContext(msgCtx)
		select {
		case out <- msg:
		case <-ctx.Done():
			cancel()
			_ = m.Nak()
			<-slots
			return
		}
		handling.Add(1)
		go func() {
			defer handling.Done()
			select {
			case <-msg.Acked():
			case <-msg.Nacked():
			case <-ctx.Done():
			}
			s.settle(ctx, m, msg)
			cancel()
			<-slots
		}()
	}
}

// settle tells JetStream what became of m: acknowledged, rejected
// (redelivered after a pause), or neither before the subscription ended
// (handed back at once). The acknowledgement is not confirmed: if it is lost,
// JetStream delivers the event again after AckWait, and the consumer's inbox
// makes that a no-op.
func (s *subscriber) settle(ctx context.Context, m jetstream.Msg, msg *message.Message) {
	select {
	case <-msg.Acked():
		if err := m.Ack(); err != nil {
			s.bus.logger.Error("Cannot acknowledge an event", err, watermill.LogFields{"message_uuid": msg.UUID})
		}
		return
	default:
	}
	select {
	case <-msg.Nacked():
		_ = m.NakWithDelay(time.Second)
	default:
		_ = m.Nak()
	}
}

// Close ends every subscription, waits for their pullers, and closes the
// connection.
func (s *subscriber) Close() error {
	s.once.Do(func() { close(s.closing) })
	s.wg.Wait()
	return drain(s.conn)
}
