package messaging

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
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
	Apply func(ctx context.Context, tx *sqldb.Tx, ev Event) error
}

type malformedError struct{ err error }

func (e malformedError) Error() string { return "malformed event: " + e.err.Error() }
func (e malformedError) Unwrap() error { return e.err }

// Malformed marks err as caused by the event itself: retrying cannot help.
func Malformed(err error) error { return malformedError{err} }

// Observer learns how event handling goes, for metrics. Its methods must
// not block.
type Observer interface {
	// EventHandled reports one attempt at applying an event.
	EventHandled(module, eventType string, took time.Duration, err error)
	// EventRetried reports an attempt after the first, by the processor's
	// own retries or by a queue's redelivery.
	EventRetried(module, eventType string)
}

type noObserver struct{}

func (noObserver) EventHandled(string, string, time.Duration, error) {}
func (noObserver) EventRetried(string, string)                       {}

// ProcessorConfig tunes a Processor and the Consumer that drives it. Zero
// values take the defaults.
type ProcessorConfig struct {
	// MaxRetries is how many times a failing handler is retried before its
	// message goes to the poison queue. Default: 5.
	MaxRetries int
	// InitialInterval is the first backoff; it doubles up to MaxInterval.
	// Defaults: 50ms and 2s.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	// CloseTimeout bounds how long Close waits for handlers. Default: 30s.
	CloseTimeout time.Duration
	// Observer learns how handling goes. Default: nobody.
	Observer Observer
	// Keys verify that each event is its producer's (see Keys.Verify); an
	// event that fails is poisoned unapplied. They must hold a key of every
	// module whose events the processor takes. Required.
	Keys *Keys
}

func (c *ProcessorConfig) setDefaults() {
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
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
}

// Processor applies one module's events: the middleware chain, the inbox
// and the poison queue. A Consumer drives it from a bus; a function's queue
// trigger drives it directly through Handle.
type Processor struct {
	module   string
	db       *sqldb.DB
	handlers map[string]Handler
	logger   *slog.Logger
	cfg      ProcessorConfig
	poisoned message.Publisher
	attempts AttemptObserver // nil unless cfg.Observer is one
	commits  CommitObserver  // nil unless cfg.Observer is one: told of the events handlers store
}

// NewProcessor returns the processor of module's handlers. Effects and inbox
// rows go to db; so do poisoned messages (topic PoisonTopic).
func NewProcessor(module string, db *sqldb.DB, handlers []Handler, logger *slog.Logger, cfg ProcessorConfig) (*Processor, error) {
	cfg.setDefaults()
	p := &Processor{module: module, db: db, handlers: map[string]Handler{}, logger: logger, cfg: cfg,
		poisoned: sqlpubsub.NewPublisher(db.Write, nil)}
	p.attempts, _ = cfg.Observer.(AttemptObserver)
	p.commits, _ = cfg.Observer.(CommitObserver)
	for _, h := range handlers {
		p.handlers[h.Topic] = h
		owner, _, _ := strings.Cut(h.Topic, ".")
		if cfg.Keys == nil || !cfg.Keys.Has(owner) {
			return nil, fmt.Errorf("%s consumes %s but has no event signing key of %s to verify it with", module, h.Topic, owner)
		}
	}
	return p, nil
}

// Topics lists the topics the module consumes.
func (p *Processor) Topics() []string {
	return slices.Sorted(maps.Keys(p.handlers))
}

// middlewares is the chain every message from the bus goes through,
// outermost first: a worker whose stack has grown already (onWarmStack);
// the correlation id for everything below; retries with
// backoff until the message is applied or poisoned; each attempt in a span
// of its own, settled inside it so that the span and the one log line agree;
// the attempt count; a panic becomes an error like any other.
func (p *Processor) middlewares() []message.HandlerMiddleware {
	return []message.HandlerMiddleware{onWarmStack, p.correlate, p.retried, p.traced, p.settle(p.backoff), p.countAttempts, middleware.Recoverer}
}

// Handle applies one message that arrived from outside the process, such as
// an SQS record or a Pub/Sub push; its topic is its event_type. attempt is
// the delivery count the queue reports (1 for the first delivery), or 0 when
// the queue does not say.
//
// With attempt 0 the message gets the full chain, retries included, as on
// the bus. Otherwise the queue is the retry: Handle tries once and returns
// the error, so that the queue redelivers, until attempt passes MaxRetries;
// then, or at once for a malformed message, the message goes to the poison
// queue and Handle returns nil.
func (p *Processor) Handle(ctx context.Context, msg *message.Message, attempt int) error {
	msg.SetContext(ctx)
	eventType := msg.Metadata.Get(MetaEventType)
	h, ok := p.handlers[eventType]
	if !ok {
		return p.Poison(ctx, msg, fmt.Errorf("%s does not consume event type %q", p.module, eventType))
	}
	run := message.HandlerFunc(func(m *message.Message) ([]*message.Message, error) { return nil, p.apply(h)(m) })
	if attempt == 0 {
		mws := p.middlewares()
		for i := len(mws) - 1; i >= 0; i-- {
			run = mws[i](run)
		}
		_, err := run(msg)
		return err
	}
	if attempt > 1 {
		p.cfg.Observer.EventRetried(p.module, h.Topic)
	}
	msg.Metadata.Set(MetaAttempts, strconv.Itoa(attempt))
	return p.once(msg, middleware.Recoverer(run))
}

// Poison puts msg in the poison queue at once, for reason: a delivery that
// is not even a message, for instance.
func (p *Processor) Poison(ctx context.Context, msg *message.Message, reason error) error {
	msg.SetContext(ctx)
	msg.Metadata.Set(MetaAttempts, "1")
	return p.once(msg, func(*message.Message) ([]*message.Message, error) { return nil, Malformed(reason) })
}

// once runs h as one attempt a queue delivered, which the queue retries:
// it returns the error of an attempt to retry, and nil for one applied or
// poisoned.
func (p *Processor) once(msg *message.Message, h message.HandlerFunc) error {
	_, err := p.correlate(p.traced(p.settle(nil)(h)))(msg)
	var r retryable
	if errors.As(err, &r) {
		return r.err
	}
	return settled(err)
}

// forgetHandledSQL is ForgetHandled's sweep of the inbox, which the index
// inbox_handled_at serves.
const forgetHandledSQL = `DELETE FROM inbox WHERE handled_at < $1`

// ForgetHandled deletes inbox rows older than inbox, and poisoned events
// older than poison, until ctx is done. A message redelivered after inbox
// would apply again, so keep it far beyond any redelivery window (SQS keeps
// messages 14 days at most).
func (p *Processor) ForgetHandled(ctx context.Context, inbox, poison time.Duration) error {
	logger := p.logger.With("module", p.module)
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = sqldb.Retain(ctx, poison, logger, "poisoned events", func(ctx context.Context, cutoff time.Time) error {
			_, err := sqlpubsub.PruneOlder(ctx, p.db.Write, PoisonTopic, cutoff)
			return err
		})
	})
	defer wg.Wait()
	return sqldb.Retain(ctx, inbox, logger, "inbox entries", func(ctx context.Context, cutoff time.Time) error {
		_, err := p.db.Write.ExecContext(ctx, forgetHandledSQL, sqldb.Time(cutoff))
		return err
	})
}

func (p *Processor) apply(h Handler) message.NoPublishHandlerFunc {
	name := p.module + "." + h.Topic
	return func(msg *message.Message) error {
		ctx := msg.Context()
		ev := Event{
			ID:            msg.UUID,
			Topic:         h.Topic,
			Payload:       msg.Payload,
			CorrelationID: middleware.MessageCorrelationID(msg),
			Metadata:      msg.Metadata,
		}
		start := time.Now()
		if err := p.cfg.Keys.Verify(msg, h.Topic, start); err != nil {
			err = Malformed(fmt.Errorf("not authentic: %w", err))
			p.cfg.Observer.EventHandled(p.module, h.Topic, time.Since(start), err)
			return err
		}
		err := p.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			// On PostgreSQL the inbox row goes with the handler's first
			// statement, or its commit. A redelivery fails on the inbox's
			// key, which undoes what the handler did: it counts as handled.
			if err := tx.ExecLater(ctx, `INSERT INTO inbox (handler, message_id, handled_at) VALUES ($1, $2, $3)`,
				name, msg.UUID, sqldb.Time(time.Now())); err != nil {
				return fmt.Errorf("inbox: %w", err)
			}
			return h.Apply(ctx, tx, ev)
		})
		if sqldb.IsUniqueViolationOn(err, "inbox") {
			err = nil // applied before: a redelivery has no second effect
		}
		p.cfg.Observer.EventHandled(p.module, h.Topic, time.Since(start), err)
		return err
	}
}
