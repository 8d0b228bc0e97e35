package messaging

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/sqlitedb"
	"example.com/modmono/platform/sqlitepubsub"
)

// Event is a message as a handler sees it.
type Event struct {
	ID            string
	Topic         string
	Payload       []byte
	CorrelationID string
	Metadata      message.Metadata
}

// Handler applies one event type to its module's database, inside the
// transaction that also records the event in the inbox.
type Handler struct {
	// Topic is the versioned event name the handler consumes.
	Topic string
	// Apply makes the event's effect. Return Malformed(err) for an event that
	// can never succeed, so it goes to the poison queue without retries.
	Apply func(ctx context.Context, tx *sql.Tx, ev Event) error
}

type malformedError struct{ err error }

func (e malformedError) Error() string { return "malformed event: " + e.err.Error() }
func (e malformedError) Unwrap() error { return e.err }

// Malformed marks err as caused by the event itself: retrying cannot help.
func Malformed(err error) error { return malformedError{err} }

// ConsumerConfig tunes a Consumer. Zero values take the defaults.
type ConsumerConfig struct {
	// MaxRetries is how many times a failing handler is retried before its
	// message goes to the poison queue. Default: 5.
	MaxRetries int
	// InitialInterval is the first backoff; it doubles up to MaxInterval.
	// Defaults: 50ms and 2s.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	// CloseTimeout bounds how long Close waits for handlers. Default: 30s.
	CloseTimeout time.Duration
}

func (c *ConsumerConfig) setDefaults() {
	if c.MaxRetries <= 0 {
		c.MaxRetries = 5
	}
	if c.InitialInterval <= 0 {
		c.InitialInterval = 50 * time.Millisecond
	}
	if c.MaxInterval <= 0 {
		c.MaxInterval = 2 * time.Second
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = 30 * time.Second
	}
}

// Consumer runs one module's handlers on a Watermill router.
type Consumer struct {
	module string
	db     *sqlitedb.DB
	router *message.Router
	logger *slog.Logger
}

// NewConsumer subscribes module's handlers to bus. Effects and inbox rows go
// to db; so do poisoned messages (topic PoisonTopic).
func NewConsumer(module string, db *sqlitedb.DB, bus message.Subscriber, handlers []Handler,
	logger *slog.Logger, cfg ConsumerConfig) (*Consumer, error) {
	cfg.setDefaults()
	wlog := WatermillLogger(logger)
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: cfg.CloseTimeout}, wlog)
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", module, err)
	}
	poison, err := middleware.PoisonQueue(sqlitepubsub.NewPublisher(db.Write, nil), PoisonTopic)
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", module, err)
	}
	retry := middleware.Retry{
		MaxRetries:      cfg.MaxRetries,
		InitialInterval: cfg.InitialInterval,
		MaxInterval:     cfg.MaxInterval,
		Multiplier:      2,
		ShouldRetry:     func(p middleware.RetryParams) bool { return !errors.As(p.Err, new(malformedError)) },
		Logger:          wlog,
	}
	c := &Consumer{module: module, db: db, router: router, logger: logger}
	// Outermost first: every attempt runs with the correlation id; a panic
	// becomes an error the retry sees; the final failure lands in the poison queue.
	router.AddMiddleware(c.correlate, poison, retry.Middleware, countAttempts, middleware.Recoverer)
	shared := sharedSubscriber{bus}
	for _, h := range handlers {
		router.AddConsumerHandler(module+"."+h.Topic, h.Topic, shared, c.apply(h))
	}
	return c, nil
}

// Run consumes until ctx is done or Close is called.
func (c *Consumer) Run(ctx context.Context) error { return c.router.Run(ctx) }

// Running is closed once every handler is subscribed.
func (c *Consumer) Running() chan struct{} { return c.router.Running() }

// Close stops consuming after the messages in flight.
func (c *Consumer) Close() error { return c.router.Close() }

func (c *Consumer) apply(h Handler) message.NoPublishHandlerFunc {
	name := c.module + "." + h.Topic
	return func(msg *message.Message) error {
		ctx := msg.Context()
		ev := Event{
			ID:            msg.UUID,
			Topic:         h.Topic,
			Payload:       msg.Payload,
			CorrelationID: middleware.MessageCorrelationID(msg),
			Metadata:      msg.Metadata,
		}
		return c.db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx,
				`INSERT INTO inbox (handler, message_id, handled_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				name, msg.UUID, time.Now().UnixMilli())
			if err != nil {
				return fmt.Errorf("inbox: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err // already applied: a redelivery has no second effect
			}
			return h.Apply(ctx, tx, ev)
		})
	}
}

// correlate carries the message's correlation id into its context as the
// request id, so events the handler writes keep it and log lines name it.
func (c *Consumer) correlate(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		corr := middleware.MessageCorrelationID(msg)
		msg.SetContext(logging.WithRequestID(msg.Context(), corr))
		out, err := h(msg)
		if err != nil {
			c.logger.ErrorContext(msg.Context(), "event handling failed", "module", c.module,
				"topic", message.SubscribeTopicFromCtx(msg.Context()), "event_id", msg.UUID, "error", err)
		}
		return out, err
	}
}

// countAttempts records in the metadata how many times the handler ran, so a
// poisoned message shows its attempt count.
func countAttempts(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		n, _ := strconv.Atoi(msg.Metadata.Get(MetaAttempts))
		msg.Metadata.Set(MetaAttempts, strconv.Itoa(n+1))
		return h(msg)
	}
}

// WatermillLogger adapts logger for Watermill, whose routine info lines
// (handlers starting, stopping) are demoted to debug.
func WatermillLogger(logger *slog.Logger) watermill.LoggerAdapter {
	return watermill.NewSlogLoggerWithLevelMapping(logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
}

// sharedSubscriber keeps a router from closing the bus when it stops: the bus
// serves every module, and whoever created it closes it.
type sharedSubscriber struct{ message.Subscriber }

func (sharedSubscriber) Close() error { return nil }
