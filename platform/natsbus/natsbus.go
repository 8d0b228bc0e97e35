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
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/nats-io/nats.go"

	"example.com/modmono/platform/eventbus"
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

// Bus keeps messages for every consumer group: one relay per outbox feeds it.
var _ eventbus.Relaying = (*Bus)(nil)

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
