package sqlpubsub

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// subscription is one Subscribe call's delivery of a topic: it reads the
// topic's messages past its group's offset and hands them out one at a time.
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
