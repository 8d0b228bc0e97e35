package sqlpubsub

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"example.com/modmono/platform/sqldb"
)

// SubscriberConfig configures a Subscriber. Zero values take the defaults.
type SubscriberConfig struct {
	// DB takes the offset and lease writes.
	DB *sql.DB
	// ReadDB serves the message reads. Default: DB.
	ReadDB *sql.DB
	// Dialect is the engine under DB (required: the reads differ).
	Dialect sqldb.Dialect
	// ConsumerGroup names whose offset this subscriber moves. Default: "default".
	ConsumerGroup string
	// Signal wakes subscriptions right after messages are committed.
	Signal *Signal
	// Instance names the process in the leases its subscriptions hold
	// (owner: "<instance>/<id>"): the sqldb.DB.Instance of its database.
	// Either engine keeps it; PostgreSQL's NOTIFY trigger reads it to spare
	// this process's own commits a NOTIFY, as they wake the Signal directly
	// (sqldb.Tx.Notify). Empty: a lease names no process.
	Instance string
	// PollInterval is the fallback poll for messages nobody signalled (another
	// process, a crash before the signal) and for a lease held elsewhere.
	// Default: 1s.
	PollInterval time.Duration
	// LeaseTTL is how long a crashed subscriber keeps its lease. Default: 5s.
	LeaseTTL time.Duration
	// BatchSize is how many messages one read fetches. Default: 200.
	BatchSize int
	// FlushInterval is how often at most the offset of the acknowledged
	// messages is stored: while messages keep coming, and once the
	// subscription catches up. A crash redelivers what was acknowledged
	// since, which at-least-once delivery allows. Default: 100ms.
	FlushInterval time.Duration
	// Confirm, when set, is called before an offset is stored, to wait
	// until whatever the acknowledged messages were handed to is durable
	// (a relay publishing without waiting, see natsbus.Pipeline). An error
	// rewinds the subscription to its stored offset: everything since is
	// delivered again.
	Confirm func(ctx context.Context) error
	// OnIdle, when set, is called each time a subscription has nothing to
	// deliver: caughtUp when it read every message there was; false when
	// another subscriber holds the lease or the read failed.
	OnIdle func(caughtUp bool)
	// Accept, when set, picks by their metadata the messages the group
	// takes: the others are passed over as if acknowledged, without being
	// delivered (or costing a delivery).
	Accept func(message.Metadata) bool
	Logger watermill.LoggerAdapter
}

func (c *SubscriberConfig) setDefaults() {
	if c.ReadDB == nil {
		c.ReadDB = c.DB
	}
	if c.ConsumerGroup == "" {
		c.ConsumerGroup = "default"
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 5 * time.Second
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 200
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 100 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports a config that cannot work.
func (c SubscriberConfig) Validate() error {
	if c.DB == nil {
		return errors.New("sqlpubsub: SubscriberConfig.DB is required")
	}
	if !c.Dialect.Known() {
		return errors.New("sqlpubsub: SubscriberConfig.Dialect must be sqldb.SQLite or sqldb.Postgres")
	}
	return nil
}

// Subscriber delivers stored messages of a topic in order, one at a time,
// waiting for each to be acknowledged before the next.
type Subscriber struct {
	cfg     SubscriberConfig
	closing chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// NewSubscriber returns a Subscriber; cfg.DB must hold the package's Schema.
func NewSubscriber(cfg SubscriberConfig) (*Subscriber, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Subscriber{cfg: cfg, closing: make(chan struct{})}, nil
}

// owner names a subscription in the lease it holds: its instance (see
// SubscriberConfig.Instance), then "/" and an id of its own.
func owner(instance string) string {
	if instance == "" {
		return uuid.NewString()
	}
	return instance + "/" + uuid.NewString()
}

// Subscribe starts delivering topic's messages on the returned channel, which
// closes when ctx is done or the Subscriber is closed.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	select {
	case <-s.closing:
		return nil, errors.New("sqlpubsub: subscriber closed")
	default:
	}
	ctx, cancel := context.WithCancel(ctx)
	sub := &subscription{
		cursor: cursor{
			ctx: ctx, db: s.cfg.DB, group: s.cfg.ConsumerGroup, topic: topic, owner: owner(s.cfg.Instance),
			ttl: s.cfg.LeaseTTL, confirm: s.cfg.Confirm,
			log: s.cfg.Logger.With(watermill.LogFields{"topic": topic, "consumer_group": s.cfg.ConsumerGroup}),
		},
		cfg: s.cfg,
		out: make(chan *message.Message),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		defer close(sub.out)
		sub.run()
	}()
	return sub.out, nil
}

// Close stops every subscription and waits for them to let go of their leases.
func (s *Subscriber) Close() error {
	s.once.Do(func() { close(s.closing) })
	s.wg.Wait()
	return nil
}
