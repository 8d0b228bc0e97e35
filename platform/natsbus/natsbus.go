// Package natsbus is the event bus between processes: NATS JetStream
// through Watermill's NATS Pub/Sub.
//
// Every topic is a subject under one stream of the bus's own (Config.Stream,
// subjects "<stream>.>"), which the bus creates or updates at start instead
// of letting Watermill derive a stream per topic. Each consumer group (a
// module) has a durable consumer per topic, delivered to a queue group of the
// same name, so the instances of a module share its events and every event
// reaches each module once, surviving restarts.
package natsbus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
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
	// once. Default: 4.
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
		c.Subscribers = 4
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
	pub    *wmnats.Publisher
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
	js, err := conn.JetStream()
	if err == nil {
		err = b.ensureStream(js)
	}
	if err == nil {
		b.pub, err = wmnats.NewPublisherWithNatsConn(conn, wmnats.PublisherPublishConfig{
			Marshaler:         dedupMarshaler{},
			SubjectCalculator: wmnats.DefaultSubjectCalculator, // unused: Publish passes the subject
			JetStream:         b.jetStream(""),
		}, logger)
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

// subject maps a topic to its subject in the stream, and a consumer group
// to its queue group.
func (b *Bus) subject(group, topic string) *wmnats.SubjectDetail {
	return &wmnats.SubjectDetail{Primary: b.cfg.Stream + "." + topic, QueueGroup: group}
}

// durable names group's consumer of a topic: names may not hold dots.
func durable(group, subject string) string {
	return strings.NewReplacer(".", "_", "*", "_", ">", "_").Replace(group + "__" + subject)
}

func (b *Bus) jetStream(group string) wmnats.JetStreamConfig {
	return wmnats.JetStreamConfig{
		SubscribeOptions: []nats.SubOpt{
			nats.DeliverAll(), nats.AckExplicit(), nats.AckWait(b.cfg.AckWait), nats.ManualAck(),
		},
		DurablePrefix:     group,
		DurableCalculator: durable,
	}
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
	// watermill-nats publishes to the subject it is given as the topic.
	return b.pub.Publish(b.subject("", topic).Primary, msgs...)
}

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
	sub, err := wmnats.NewSubscriberWithNatsConn(conn, wmnats.SubscriberSubscriptionConfig{
		Unmarshaler:       &wmnats.NATSMarshaler{},
		SubscribersCount:  b.cfg.Subscribers,
		AckWaitTimeout:    b.cfg.AckWait,
		CloseTimeout:      30 * time.Second,
		SubscribeTimeout:  30 * time.Second,
		SubjectCalculator: b.subject,
		JetStream:         b.jetStream(group),
		QueueGroupPrefix:  group,
	}, b.logger)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return subscriber{sub}, nil
}

// subscriber hides watermill-nats's SubscribeInitialize, which would make a
// stream per topic: the bus's one stream already holds every topic.
type subscriber struct{ sub *wmnats.Subscriber }

func (s subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	return s.sub.Subscribe(ctx, topic)
}

func (s subscriber) Close() error { return s.sub.Close() }

// Check reports whether the bus is connected: the readiness check.
func (b *Bus) Check(context.Context) error {
	if s := b.conn.Status(); s != nats.CONNECTED {
		return fmt.Errorf("NATS connection %s", s)
	}
	return nil
}

// Close closes the publisher's connection, after what it has in flight.
func (b *Bus) Close() error {
	return b.conn.Drain()
}
