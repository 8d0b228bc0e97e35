package sqlpubsub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/google/uuid"

	"example.com/modmono/platform/sqldb"
)

// Table is a table whose rows a Follower hands out, read as a Subscriber
// reads a topic: in (xid, seq) order, each row once its transaction has
// settled. Like pubsub_messages, the table has a column seq, its order of
// insertion, and a column xid, the id of the transaction that wrote the
// row: on PostgreSQL `DEFAULT pg_current_xact_id()::text::bigint`, on
// SQLite, whose commits are serial, always 0; and an index on (xid, seq).
type Table[T any] struct {
	// From is the read's FROM clause: the table, named Alias, and whatever
	// it joins, as in "jobs j LEFT JOIN owners o ON o.id = j.owner_id".
	From  string
	Alias string
	// Columns are the values Scan reads, after the row's position.
	Columns string
	// Scan makes a T of one row's Columns, read by scan.
	Scan func(scan func(dest ...any) error) (T, error)
}

// FollowerConfig configures a Follower. Zero values take the defaults.
type FollowerConfig struct {
	// DB holds the table and the package's Schema (required).
	DB *sqldb.DB
	// Name names the Follower's position and lease: the consumer group
	// "follow" of the pseudo-topic Name in pubsub_offsets (required).
	// Followers of one Name, in any process, take turns: one at a time
	// hands out rows.
	Name string
	// Signal wakes the Follower right after rows may have been committed.
	Signal *Signal
	// PollInterval is the fallback poll for rows nobody signalled (another
	// process's) and for a lease held elsewhere. Default: 2s on
	// PostgreSQL, where other processes write alike; 30s on SQLite, whose
	// file one process writes.
	PollInterval time.Duration
	// LeaseTTL is how long a crashed Follower keeps its lease. Default: 15s.
	LeaseTTL time.Duration
	// BatchSize is how many rows one read fetches. Default: 100.
	BatchSize int
	// FlushInterval is how often at most the position is stored while rows
	// keep coming: a crash hands out again what was handled since.
	// Default: 20ms.
	FlushInterval time.Duration
	// Linger is how long the Follower waits after a wake-up before it
	// reads, so that a burst of rows is handled, and its position stored,
	// in one batch rather than one read and write each. Default: none.
	Linger time.Duration
	// Retry is the wait after a row failed, doubled after each further
	// failure up to MaxRetry. Defaults: 1s and 1m.
	Retry, MaxRetry time.Duration
	// Logger reports failures. Default: slog.Default().
	Logger *slog.Logger
}

func (c *FollowerConfig) setDefaults() {
	if c.PollInterval <= 0 {
		c.PollInterval = 30 * time.Second
		if c.DB != nil && c.DB.Dialect() == sqldb.Postgres {
			c.PollInterval = 2 * time.Second
		}
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 15 * time.Second
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 100
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 20 * time.Millisecond
	}
	if c.Retry <= 0 {
		c.Retry = time.Second
	}
	if c.MaxRetry < c.Retry {
		c.MaxRetry = max(c.Retry, time.Minute)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Validate reports a config that cannot work.
func (c FollowerConfig) Validate() error {
	if c.DB == nil {
		return errors.New("sqlpubsub: FollowerConfig.DB is required")
	}
	if c.Name == "" {
		return errors.New("sqlpubsub: FollowerConfig.Name is required")
	}
	return nil
}

// followGroup is the consumer group of every Follower's position.
const followGroup = "follow"

// Follower hands the rows of a Table to a function, in order, each at
// least once, through the machinery a Subscriber delivers with: a position
// (xid, seq) in pubsub_offsets, its lease, wake-ups by a Signal, a poll, and
// reads that stop at rows of transactions not yet settled.
type Follower[T any] struct {
	cfg   FollowerConfig
	table Table[T]
	read  string // the batch query
}

// NewFollower returns a Follower of table.
func NewFollower[T any](cfg FollowerConfig, table Table[T]) (*Follower[T], error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, a := cfg.DB.Dialect(), table.Alias
	read := fmt.Sprintf(`SELECT %[1]s.xid, %[1]s.seq, %[2]s, %[3]s FROM %[4]s WHERE %[5]s ORDER BY %[1]s.xid, %[1]s.seq LIMIT $3`,
		a, d.Settled(a+".xid"), table.Columns, table.From, d.After(a+".xid", a+".seq", "$1", "$2"))
	return &Follower[T]{cfg: cfg, table: table, read: read}, nil
}

// Run hands every row, oldest first, to handle until ctx is done, and then
// returns nil. A row that handle fails stops the round: it is handed
// again, with what follows it, after a backoff (FollowerConfig.Retry), so
// nothing is skipped and nothing overtakes. A row may be handed more than once
// after a crash or a lost lease.
func (f *Follower[T]) Run(ctx context.Context, handle func(context.Context, T) error) error {
	log := f.cfg.Logger.With("follower", f.cfg.Name)
	c := &cursor{ctx: ctx, db: f.cfg.DB.Write, group: followGroup, topic: f.cfg.Name, owner: uuid.NewString(),
		ttl: f.cfg.LeaseTTL, log: watermill.NewSlogLogger(log)}
	defer c.release()
	backoff, settling := f.cfg.Retry, 0
	for ctx.Err() == nil {
		if !c.holdLease() {
			sleep(ctx, nil, f.cfg.LeaseTTL/3)
			continue
		}
		wake := f.cfg.Signal.wait()
		batch, unsettled, err := f.fetch(ctx, c.position())
		if len(batch) == 0 && unsettled && err == nil {
			awaitSettling(ctx, settling)
			settling++
			continue
		}
		settling = 0
		if err == nil {
			err = f.handleAll(ctx, c, batch, handle)
		}
		if err != nil {
			if c.pending.after(c.acked) {
				c.store()
			}
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, errLeaseLost) {
				continue // the lease lapsed and another took it: wait for it
			}
			log.ErrorContext(ctx, "handing out rows failed", "error", err, "retry_in", backoff.String())
			sleep(ctx, nil, backoff)
			backoff = min(2*backoff, f.cfg.MaxRetry)
			continue
		}
		backoff = f.cfg.Retry
		f.idle(ctx, c, wake, unsettled || len(batch) == f.cfg.BatchSize)
	}
	return nil
}

// handleAll hands batch to handle in order, up to the first failure.
func (f *Follower[T]) handleAll(ctx context.Context, c *cursor, batch []followed[T], handle func(context.Context, T) error) error {
	for _, r := range batch {
		if err := handle(ctx, r.value); err != nil {
			return err
		}
		c.pending = r.offset
		if time.Until(c.leaseUntil) < c.ttl/2 && !c.store() {
			return errLeaseLost // renew the lease before it can lapse
		}
	}
	return nil
}

var errLeaseLost = errors.New("lease lost, another follower took over")

// idle stores the position, at most every FlushInterval, and waits for a
// wake-up or the poll, unless more may wait (more): then it returns at once.
// A batch that followed a Signal's wait, fell short and left nothing
// unsettled held every row committed before the wait; a later commit
// closes wake.
func (f *Follower[T]) idle(ctx context.Context, c *cursor, wake <-chan struct{}, more bool) {
	due := time.Until(c.flushed.Add(f.cfg.FlushInterval))
	if c.pending.after(c.acked) && due <= 0 && !c.store() {
		return
	}
	woken := false
	switch {
	case more:
	case c.pending.after(c.acked):
		woken = sleep(ctx, wake, due) // then store what this batch handled
	default:
		woken = sleep(ctx, wake, f.cfg.PollInterval)
	}
	if woken && f.cfg.Linger > 0 {
		sleep(ctx, nil, f.cfg.Linger)
	}
}

type followed[T any] struct {
	offset
	value T
}

// fetch reads the next batch that may be handed out. unsettled reports
// committed rows behind it that must wait for older transactions to end.
func (f *Follower[T]) fetch(ctx context.Context, from offset) (batch []followed[T], unsettled bool, err error) {
	rows, err := f.cfg.DB.Read.QueryContext(ctx, f.read, from.xid, from.seq, f.cfg.BatchSize)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", f.cfg.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r followed[T]
		var settled bool
		r.value, err = f.table.Scan(func(dest ...any) error {
			return rows.Scan(append([]any{&r.xid, &r.seq, &settled}, dest...)...)
		})
		if err != nil {
			return nil, false, fmt.Errorf("read %s: %w", f.cfg.Name, err)
		}
		if !settled {
			return batch, true, nil
		}
		batch = append(batch, r)
	}
	return batch, false, rows.Err()
}

// sleep waits for a wake-up, d, or the end of ctx, and reports whether it
// was woken. A nil wake never wakes.
func sleep(ctx context.Context, wake <-chan struct{}, d time.Duration) (woken bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}
