package sqlpubsub

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"example.com/modmono/platform/sqldb"
)

// offset is a row's place in delivery order: the transaction that wrote it
// (always 0 on SQLite), then its seq.
type offset struct{ xid, seq int64 }

func (o offset) after(p offset) bool {
	return o.xid > p.xid || o.xid == p.xid && o.seq > p.seq
}

// cursor is one reader's place in a stream of rows, kept in pubsub_offsets
// under (group, topic), with the lease that makes it the group's only
// reader of the topic: a Subscriber's subscription and a Follower read
// through one.
type cursor struct {
	ctx     context.Context
	db      *sql.DB
	group   string
	topic   string
	owner   string
	ttl     time.Duration
	confirm func(context.Context) error // see SubscriberConfig.Confirm; may be nil
	log     watermill.LoggerAdapter

	acked      offset // the stored offset
	pending    offset // the last handled offset, stored by the next store
	flushed    time.Time
	leaseUntil time.Time
}

// position is where the next read starts: after the last handled row,
// stored or not.
func (c *cursor) position() offset {
	if c.pending.after(c.acked) {
		return c.pending
	}
	return c.acked
}

const acquireLease = `
INSERT INTO pubsub_offsets (consumer_group, topic, acked_xid, acked, owner, lease_until) VALUES ($1, $2, 0, 0, $3, $4)
ON CONFLICT (consumer_group, topic) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
WHERE pubsub_offsets.owner IS NULL OR pubsub_offsets.owner = excluded.owner OR pubsub_offsets.lease_until < $5
RETURNING acked_xid, acked`

// holdLease takes or renews the group's lease on the topic. It renews only
// when half the lease has passed, so a busy reader renews through stores.
func (c *cursor) holdLease() bool {
	now := time.Now()
	if now.Add(c.ttl / 2).Before(c.leaseUntil) {
		return true
	}
	until := now.Add(c.ttl)
	var acked offset
	err := c.db.QueryRowContext(c.ctx, acquireLease, c.group, c.topic, c.owner,
		sqldb.Time(until), sqldb.Time(now)).Scan(&acked.xid, &acked.seq)
	if errors.Is(err, sql.ErrNoRows) {
		return false // another reader holds it
	}
	if err != nil {
		if c.ctx.Err() == nil {
			c.log.Error("Cannot take lease", err, nil)
		}
		return false
	}
	c.acked, c.leaseUntil = acked, until
	return true
}

// noLease is lease_until of a lease released or never taken: the epoch.
var noLease = sqldb.Time(time.UnixMilli(0))

// release stores what was handled and lets go of the lease, so that
// another reader need not wait for it to lapse.
func (c *cursor) release() {
	if c.leaseUntil.IsZero() {
		return
	}
	if c.pending.after(c.acked) {
		c.store()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.db.ExecContext(ctx,
		`UPDATE pubsub_offsets SET owner = NULL, lease_until = $1 WHERE consumer_group = $2 AND topic = $3 AND owner = $4`,
		noLease, c.group, c.topic, c.owner)
	if err != nil {
		c.log.Error("Cannot release lease", err, nil)
	}
}

const moveOffset = `UPDATE pubsub_offsets SET acked_xid = $1, acked = $2, lease_until = $3
WHERE consumer_group = $4 AND topic = $5 AND owner = $6`

// store writes the pending offset, renewing the lease with it, and reports
// whether it did: not when the lease was lost, which forgets what was not
// stored, for the next holder to read again.
func (c *cursor) store() bool {
	// The write must land even when the reader is being closed: the rows
	// were handled, and dropping it would hand them out again.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c.confirm != nil {
		if err := c.confirm(ctx); err != nil {
			c.log.Error("Acknowledged messages are not confirmed; delivering them again", err, nil)
			c.pending = offset{}
			return false
		}
	}
	until := time.Now().Add(c.ttl)
	res, err := c.db.ExecContext(ctx, moveOffset, c.pending.xid, c.pending.seq, sqldb.Time(until),
		c.group, c.topic, c.owner)
	if err != nil {
		c.log.Error("Cannot store offset", err, watermill.LogFields{"xid": c.pending.xid, "seq": c.pending.seq})
		c.lostLease()
		return false
	}
	if n, _ := res.RowsAffected(); n != 1 {
		c.log.Info("Lease lost, another subscriber took over", nil)
		c.lostLease()
		return false
	}
	c.acked, c.leaseUntil, c.flushed = c.pending, until, time.Now()
	return true
}

// lostLease forgets what this reader had not stored: whoever holds the
// lease next hands it out again.
func (c *cursor) lostLease() {
	c.leaseUntil, c.pending = time.Time{}, offset{}
}

// settleWait is how long a reader first waits before reading again when
// the next rows wait for older transactions, which commonly end within a
// millisecond and announce nothing. While they keep it waiting, the wait
// doubles up to maxSettleWait: any long transaction on the server holds
// back every reader (see sqldb.Dialect.Settled), and need not cost a read
// per millisecond while it runs.
const settleWait, maxSettleWait = 250 * time.Microsecond, 20 * time.Millisecond

// awaitSettling waits before the next read, the n+1st in a row to find
// only unsettled rows.
func awaitSettling(ctx context.Context, n int) {
	t := time.NewTimer(min(settleWait<<min(n, 7), maxSettleWait))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
