// Package natsbus is the event bus between processes: NATS JetStream, in
// the wire format of Watermill's NATS Pub/Sub.
//
// Every topic is a subject under one stream of the bus's own (Config.Stream,
// subjects "<stream>.>"), which the bus creates or updates at start instead
// of letting Watermill derive a stream per topic. Each consumer group (a
// module) has one durable pull consumer per topic, which every instance of
// the module pulls from: the instances share the module's events, and each
// event reaches each module once, surviving restarts.
package natsbus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config configures a Bus. Zero values take the defaults.
type Config struct {
	// URL is the NATS server (nats://host:4222; several, comma-separated).
	URL string
	// Stream names the JetStream stream and prefixes its subjects.
	// Default: "modmono".
	Stream string
	// MaxAge is how long the stream keeps an event: a module that was down
	// longer misses it. Default: 7 days.
	MaxAge time.Duration
	// AckWait is how long a delivered event may go unacknowledged before
	// JetStream delivers it again. Default: 30s.
	AckWait time.Duration
	// Subscribers is how many events of one topic an instance handles at
	// once: consumers' transactions wait for the disk, so several run
	// together. Default: 16.
	Subscribers int
	// ConnectTimeout bounds the first connection. Default: 5s.
	ConnectTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.Stream == "" {
		c.Stream = "modmono"
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 7 * 24 * time.Hour
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.Subscribers <= 0 {
		c.Subscribers = 16
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 5 * time.Second
	}
}

// Bus publishes to and subscribes from one JetStream stream.
type Bus struct {
	cfg    Config
	logger watermill.LoggerAdapter
	conn   *nats.Conn
	js     nats.JetStreamContext
}

// Open connects to cfg.URL, creates or updates the stream, and returns the
// bus. It fails at once when the server does not answer; once connected, it
// reconnects for as long as it takes.
func Open(cfg Config, logger watermill.LoggerAdapter) (*Bus, error) {
	cfg.setDefaults()
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	b := &Bus{cfg: cfg, logger: logger}
	conn, err := b.connect("publisher")
	if err != nil {
		return nil, err
	}
	b.conn = conn
	// An acknowledgement that does not come within AckWait fails its
	// publish, so Confirm cannot wait forever on a lost connection.
	b.js, err = conn.JetStream(nats.PublishAsyncTimeout(b.cfg.AckWait), nats.PublishAsyncMaxPending(16384))
	if err == nil {
		err = b.ensureStream(b.js)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return b, nil
}

func (b *Bus) connect(role string) (*nats.Conn, error) {
	conn, err := nats.Connect(b.cfg.URL,
		nats.Name("modmono "+role),
		nats.Timeout(b.cfg.ConnectTimeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS: %w", err)
	}
	return conn, nil
}

func (b *Bus) ensureStream(js nats.JetStreamContext) error {
	want := &nats.StreamConfig{
		Name:       b.cfg.Stream,
		Subjects:   []string{b.cfg.Stream + ".>"},
		Storage:    nats.FileStorage,
		Retention:  nats.LimitsPolicy,
		MaxAge:     b.cfg.MaxAge,
		Duplicates: 2 * time.Minute, // a relay that publishes again after a crash
	}
	_, err := js.StreamInfo(b.cfg.Stream)
	switch {
	case errors.Is(err, nats.ErrStreamNotFound):
		_, err = js.AddStream(want)
	case err == nil:
		_, err = js.UpdateStream(want)
	}
	if err != nil {
		return fmt.Errorf("JetStream stream %s: %w", b.cfg.Stream, err)
	}
	return nil
}

// subject is topic's subject in the stream.
func (b *Bus) subject(topic string) string { return b.cfg.Stream + "." + topic }

// durable names group's consumer of a topic: names may not hold dots.
func durable(group, subject string) string {
	return strings.NewReplacer(".", "_", "*", "_", ">", "_").Replace(group + "__" + subject)
}

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

// drain closes conn after what it has in flight. Closing twice is no error:
// Watermill's Close may be called again.
func drain(conn *nats.Conn) error {
	if err := conn.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return err
	}
	return nil
}

// Check reports whether the bus is connected: the readiness check.
func (b *Bus) Check(context.Context) error {
	if s := b.conn.Status(); s != nats.CONNECTED {
		return fmt.Errorf("NATS connection %s", s)
	}
	return nil
}

// Close closes the publisher's connection, after what it has in flight.
func (b *Bus) Close() error {
	return drain(b.conn)
}
