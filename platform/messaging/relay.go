package messaging

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
	"example.com/modmono/platform/tracing"
)

// RelayConfig tunes a Relay. Zero values take the defaults.
type RelayConfig struct {
	// PollInterval is the fallback poll for events no commit signalled, such
	// as those a crash left behind. Default: 2s.
	PollInterval time.Duration
	// PruneInterval is how often relayed events are deleted. Default: 1m.
	PruneInterval time.Duration
	// CloseTimeout bounds how long Close waits for the event in flight. Default: 30s.
	CloseTimeout time.Duration
	// Confirm, when set, waits until the bus stored what the relay
	// published; the relay calls it before it records events as relayed
	// (see sqlpubsub.SubscriberConfig.Confirm). For a bus whose Publish
	// returns before the bus stored the message.
	Confirm func(ctx context.Context) error
	// ConsumerGroup names the relay's own position in the outbox. Default:
	// "relay", the one relay of an outbox onto a bus that keeps messages for
	// each consumer (NATS JetStream, SNS, Pub/Sub). A bus that keeps none
	// gives each consuming module a relay of its own: RelayGroup.
	ConsumerGroup string
	// Topics, when set, are the only event types the relay publishes; it
	// passes over the others, which are some other relay's.
	Topics []string
}

func (c *RelayConfig) setDefaults() {
	if c.PollInterval <= 0 {
		c.PollInterval = 2 * time.Second
	}
	if c.PruneInterval <= 0 {
		c.PruneInterval = time.Minute
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = 30 * time.Second
	}
	if c.ConsumerGroup == "" {
		c.ConsumerGroup = relayGroup
	}
}

// relayGroup is the consumer group whose offset records what was relayed
// onto a bus that keeps messages.
const relayGroup = "relay"

// RelayGroup names the relay that feeds the consuming module on a bus that
// keeps no messages: the module's own position in a producer's outbox.
func RelayGroup(consumer string) string { return "relay to " + consumer }

// Relay moves a module's outbox onto the bus in commit order with Watermill's
// forwarder. An event counts as relayed only once the bus acknowledged it.
type Relay struct {
	db     *sqldb.DB
	fwd    *forwarder.Forwarder
	sub    *sqlpubsub.Subscriber
	cfg    RelayConfig
	logger watermill.LoggerAdapter
	watch  *publishWatch

	// closing is done once Close is called; it ends the prune loop, which
	// Close waits for, so that nothing touches db after Close.
	closing    context.Context
	beginClose context.CancelFunc
	pruning    sync.WaitGroup
}

// NewRelay returns the relay of db's outbox onto bus. Every commit on db wakes
// it, from any process on PostgreSQL.
func NewRelay(db *sqldb.DB, bus message.Publisher, logger watermill.LoggerAdapter, cfg RelayConfig) (*Relay, error) {
	signal := new(sqlpubsub.Signal)
	db.Listen(sqlpubsub.Channel(db.Schema()), signal.Notify)
	return newRelay(db, bus, logger, cfg, signal, nil)
}

// instance is what the relay's lease says of its process: db's instance
// when commits here wake the relay directly (it has a signal), so that
// they need no NOTIFY; nothing otherwise.
func instance(db *sqldb.DB, signal *sqlpubsub.Signal) string {
	if signal == nil {
		return ""
	}
	return db.Instance()
}

func newRelay(db *sqldb.DB, bus message.Publisher, logger watermill.LoggerAdapter, cfg RelayConfig,
	signal *sqlpubsub.Signal, onIdle func(caughtUp bool)) (*Relay, error) {
	cfg.setDefaults()
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{
		DB:            db.Write,
		ReadDB:        db.Read,
		Dialect:       db.Dialect(),
		ConsumerGroup: cfg.ConsumerGroup,
		Signal:        signal,
		Instance:      instance(db, signal),
		PollInterval:  cfg.PollInterval,
		Confirm:       cfg.Confirm,
		OnIdle:        onIdle,
		Accept:        acceptTopics(cfg.Topics),
		Logger:        logger,
	})
	if err != nil {
		return nil, err
	}
	// A publish that fails (the bus is down) is retried with backoff, then
	// nacked and read again: the relay never skips an event.
	retry := middleware.Retry{
		MaxRetries:      8,
		InitialInterval: 50 * time.Millisecond,
		MaxInterval:     5 * time.Second,
		Multiplier:      2,
		Logger:          logger,
	}
	watch := &publishWatch{Publisher: tracedPublisher{bus}}
	var pub message.Publisher = watch
	if len(cfg.Topics) > 0 {
		pub = topicFilter{pub, cfg.Topics}
	}
	fwd, err := forwarder.NewForwarder(sub, pub, logger, forwarder.Config{
		ForwarderTopic: OutboxTopic,
		Middlewares:    []message.HandlerMiddleware{onWarmStack, retry.Middleware},
		CloseTimeout:   cfg.CloseTimeout,
		// Only Outbox.Add writes here; a row that is no envelope is corrupt,
		// cannot be relayed, and is logged whole instead of blocking the rest.
		AckWhenCannotUnwrap: true,
	})
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	closing, beginClose := context.WithCancel(context.Background())
	return &Relay{db: db, fwd: fwd, sub: sub, cfg: cfg, logger: logger, watch: watch, closing: closing, beginClose: beginClose}, nil
}

// SetRelays makes groups the only relays of db's outbox, before they run:
// each starts, if new, where the least advanced of the old ones stood, and
// the old ones are forgotten (sqlpubsub.Regroup). Call it when the way the
// outbox is relayed changes, such as the bus.
func SetRelays(ctx context.Context, db *sqldb.DB, groups []string) error {
	return sqlpubsub.Regroup(ctx, db, OutboxTopic, groups)
}

// Group is the consumer group the relay moves in the outbox.
func (r *Relay) Group() string { return r.cfg.ConsumerGroup }

// DB is the database whose outbox the relay reads.
func (r *Relay) DB() *sqldb.DB { return r.db }

// Run relays, and deletes what it relayed every PruneInterval, until ctx is
// done or Close is called.
func (r *Relay) Run(ctx context.Context) error {
	pruneCtx, stopPruning := context.WithCancel(ctx)
	stop := context.AfterFunc(r.closing, stopPruning)
	r.pruning.Go(func() {
		defer stop()
		defer stopPruning()
		r.pruneLoop(pruneCtx)
	})
	return r.fwd.Run(ctx)
}

// Running is closed once the relay is reading the outbox.
func (r *Relay) Running() chan struct{} { return r.fwd.Running() }

// Close stops reading, waits for the event in flight and for a prune under
// way, and releases the outbox.
func (r *Relay) Close() error {
	r.beginClose()
	err := r.fwd.Close()
	if subErr := r.sub.Close(); err == nil {
		err = subErr
	}
	r.pruning.Wait()
	return err
}

func (r *Relay) pruneLoop(ctx context.Context) {
	t := time.NewTicker(r.cfg.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.fwd.Running():
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := sqlpubsub.Prune(ctx, r.db.Write, OutboxTopic); err != nil && ctx.Err() == nil {
				r.logger.Error("Cannot prune relayed events", err, nil)
			}
		}
	}
}

// tracedPublisher puts each event on the bus in a span of the trace that
// wrote it, and hands the consumers that span's context.
type tracedPublisher struct{ message.Publisher }

func (p tracedPublisher) Publish(topic string, msgs ...*message.Message) error {
	spans := make([]trace.Span, len(msgs))
	for i, msg := range msgs {
		ctx, span := tracing.Start(tracing.Extract(context.Background(), msg.Metadata), "relay "+topic,
			trace.SpanKindProducer, msg, semconv.MessagingDestinationName(topic),
			semconv.MessagingOperationTypePublish, semconv.MessagingOperationName("relay"))
		tracing.Inject(ctx, msg.Metadata)
		spans[i] = span
	}
	err := p.Publisher.Publish(topic, msgs...)
	for _, span := range spans {
		tracing.End(span, err)
	}
	return err
}
