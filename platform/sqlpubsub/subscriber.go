package sqlpubsub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	// Instance, on PostgreSQL, is the sqldb.DB.Instance of the process's
	// database: a lease held under it tells the trigger that this process's
	// own commits need no NOTIFY, as they wake the Signal directly
	// (sqldb.Tx.Notify). Empty: every commit notifies.
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
	if c.Dialect != sqldb.SQLite && c.Dialect != sqldb.Postgres {
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

type subscription struct {
	cursor // the group's offset of the topic, and its lease
	cfg    SubscriberConfig
	out    chan *message.Message

	delivered bool // a message was acknowledged since the last flush
}

type row struct {
	offset
	uuid     string
	payload  []byte
	metadata message.Metadata
}

func (s *subscription) run() {
	defer s.release()
	settling := 0 // reads in a row that found only unsettled rows
	for s.ctx.Err() == nil {
		if !s.holdLease() {
			s.sleep(nil, false)
			continue
		}
		wake := s.cfg.Signal.wait()
		batch, unsettled, err := s.fetch()
		if err != nil {
			s.log.Error("Cannot read messages", err, nil)
			s.sleep(nil, false)
			continue
		}
		if len(batch) == 0 && unsettled {
			awaitSettling(s.ctx, settling)
			settling++
			continue
		}
		settling = 0
		if len(batch) > 0 && !s.deliverAll(batch, unsettled) {
			continue
		}
		// Caught up: store where, at most every FlushInterval: one
		// message at a time would otherwise mean a commit each.
		if due := time.Until(s.flushed.Add(s.flushInterval())); due > 0 && s.pending.after(s.acked) {
			s.sleepFor(wake, due, true)
			continue
		}
		s.flush()
		s.sleep(wake, true)
	}
}

// deliverAll hands out batch, and reports whether the subscription caught
// up with it: whether it may wait for a wake-up instead of reading again.
//
// A batch that a Signal's wait preceded, that was all delivered, and that
// ended short of BatchSize with nothing unsettled behind it held every
// message committed before the wait: any commit since has closed the wait's
// channel. Reading again at once would find nothing, at the cost of a query
// per batch, which is a query per message when they come one at a time.
// Without a Signal only a read that finds nothing tells.
func (s *subscription) deliverAll(batch []row, unsettled bool) (caughtUp bool) {
	for _, r := range batch {
		if s.cfg.Accept != nil && !s.cfg.Accept(r.metadata) {
			s.pending = r.offset
			continue
		}
		if !s.deliver(r) {
			return false
		}
	}
	if time.Since(s.flushed) >= s.flushInterval() {
		s.flush()
	}
	return s.cfg.Signal != nil && !unsettled && len(batch) < s.cfg.BatchSize
}

// flushInterval is how often at most the offset is stored: every
// FlushInterval after a delivery, but only as often as the lease is renewed
// when the subscription merely passed over messages it does not accept, as
// nobody waits for those: each store is a commit, which on SQLite holds the
// one writer every other transaction waits for.
func (s *subscription) flushInterval() time.Duration {
	if s.delivered {
		return s.cfg.FlushInterval
	}
	return s.cfg.LeaseTTL / 2
}

// sleep waits for a wake-up, the poll interval, or the end.
func (s *subscription) sleep(wake <-chan struct{}, caughtUp bool) {
	s.sleepFor(wake, s.cfg.PollInterval, caughtUp)
}

// sleepFor waits for a wake-up, d, or the end; caughtUp tells OnIdle why.
func (s *subscription) sleepFor(wake <-chan struct{}, d time.Duration, caughtUp bool) {
	if s.cfg.OnIdle != nil {
		s.cfg.OnIdle(caughtUp)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-s.ctx.Done():
	}
}

// selectBatch reads in (xid, seq) order past an offset, and tells which
// rows' transactions have settled (see sqldb.Dialect.Settled). In xid order
// the settled rows come first.
const selectBatch = `SELECT xid, seq, uuid, payload, metadata, %s FROM pubsub_messages
WHERE topic = $1 AND %s ORDER BY xid, seq LIMIT $4`

// fetch reads the next batch that may be delivered. unsettled reports
// committed rows behind it that must wait for older transactions to end.
func (s *subscription) fetch() (batch []row, unsettled bool, err error) {
	from := s.position()
	rows, err := s.cfg.ReadDB.QueryContext(s.ctx, fmt.Sprintf(selectBatch, s.cfg.Dialect.Settled("xid"), s.cfg.Dialect.After("xid", "seq", "$2", "$3")),
		s.topic, from.xid, from.seq, s.cfg.BatchSize)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		var md string
		var settled bool
		if err := rows.Scan(&r.xid, &r.seq, &r.uuid, &r.payload, &md, &settled); err != nil {
			return nil, false, err
		}
		if !settled {
			return batch, true, nil
		}
		if err := json.Unmarshal([]byte(md), &r.metadata); err != nil {
			return nil, false, fmt.Errorf("metadata of message %d: %w", r.seq, err)
		}
		batch = append(batch, r)
	}
	return batch, false, rows.Err()
}

// deliver hands r out until it is acked. It reports false when the
// subscription should stop or re-read.
func (s *subscription) deliver(r row) bool {
	for {
		msg := message.NewMessage(r.uuid, r.payload)
		for k, v := range r.metadata {
			msg.Metadata.Set(k, v)
		}
		ctx, cancel := context.WithCancel(s.ctx)
		msg.SetContext(ctx)
		select {
		case s.out <- msg:
		case <-s.ctx.Done():
			cancel()
			return false
		}
		select {
		case <-msg.Acked():
			cancel()
			s.pending, s.delivered = r.offset, true
			if time.Until(s.leaseUntil) < s.cfg.LeaseTTL/2 {
				return s.flush() // renew the lease before it can lapse
			}
			return true
		case <-msg.Nacked():
			cancel()
			if !s.flush() {
				return false
			}
		case <-s.ctx.Done():
			cancel()
			select {
			case <-msg.Acked(): // acked just as we were closed: keep the offset
				s.pending = r.offset
			default:
			}
			return false
		}
	}
}

// flush stores the offset of the last acknowledged message, renewing the
// lease with it. Offsets are stored at most every FlushInterval while
// messages flow, not per message: each store is a commit, and a commit
// waits for the disk.
func (s *subscription) flush() bool {
	if !s.pending.after(s.acked) {
		return s.holdLease()
	}
	if !s.store() {
		return false
	}
	s.delivered = false
	return true
}
