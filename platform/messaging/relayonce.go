package messaging

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

// RelayOnce publishes every event waiting in db's outbox to bus, in order,
// and returns how many it published: the relay of a function that runs on a
// schedule, the outbox's only one (SetRelays: relays of a server that used
// the database before hold nothing back). When another relay holds the
// outbox it returns 0 at once.
func RelayOnce(ctx context.Context, db *sqldb.DB, bus message.Publisher, logger watermill.LoggerAdapter) (int, error) {
	if err := SetRelayOnce(ctx, db); err != nil {
		return 0, err
	}
	return relayOnce(ctx, db, bus, logger, false)
}

// SetRelayOnce makes the relay of RelayOnce and RelayCommitted the only
// relay of db's outbox (SetRelays). RelayOnce does so on every run;
// RelayCommitted, which runs after every committing request, does not: its
// process calls SetRelayOnce once first, at its first inline publish.
func SetRelayOnce(ctx context.Context, db *sqldb.DB) error {
	return SetRelays(ctx, db, []string{relayGroup})
}

// RelayCommitted is RelayOnce for the process that just committed events:
// the inline publish of a function, right after its commit. When another
// relay holds the outbox it does not leave at once, since that relay may
// have read past the new events already: it polls for the lease every
// leasePoll and runs once it has it, until ctx ends. It takes the same lease
// as every relay of the outbox, so it publishes in the same order and moves
// the same offset as the scheduled run. Give ctx a deadline: when it passes
// before the outbox is caught up, RelayCommitted stops, keeps what it
// published (and the bus acknowledged) as relayed, and returns how many with
// an error; what is left waits for the next run. Call SetRelayOnce once
// before the first run.
func RelayCommitted(ctx context.Context, db *sqldb.DB, bus message.Publisher, logger watermill.LoggerAdapter) (int, error) {
	return relayOnce(ctx, db, bus, logger, true)
}

// leasePoll is how often RelayCommitted asks for a lease another relay holds.
const leasePoll = 20 * time.Millisecond

// ErrNotCaughtUp is RelayCommitted's error when its ctx ended before it
// published every waiting event.
var ErrNotCaughtUp = errors.New("relay: stopped before publishing every waiting event")

func relayOnce(ctx context.Context, db *sqldb.DB, bus message.Publisher, logger watermill.LoggerAdapter, wait bool) (int, error) {
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var caughtUp atomic.Bool
	onIdle := func(all bool) {
		if all {
			caughtUp.Store(true)
		}
		if all || !wait {
			stop()
		}
	}
	cfg := RelayConfig{}
	if wait {
		cfg.PollInterval = leasePoll
	}
	counter := &countingPublisher{Publisher: bus}
	// No commit signal: a one-shot relay reads what is there and stops, and
	// a warm function must not pile up a commit hook per run.
	r, err := newRelay(db, counter, logger, cfg, nil, onIdle)
	if err != nil {
		return 0, err
	}
	err = r.fwd.Run(runCtx)
	err = errors.Join(err, r.Close())
	if err == nil {
		// What was relayed is deleted now: a function has no prune loop.
		_, err = sqlpubsub.Prune(context.WithoutCancel(ctx), db.Write, OutboxTopic)
	}
	if err == nil && wait && !caughtUp.Load() {
		err = ErrNotCaughtUp
		if cause := context.Cause(ctx); cause != nil {
			err = fmt.Errorf("%w: %w", ErrNotCaughtUp, cause)
		}
	}
	return int(counter.n.Load()), err
}

// countingPublisher counts what it published.
type countingPublisher struct {
	message.Publisher
	n atomic.Int64
}

func (p *countingPublisher) Publish(topic string, msgs ...*message.Message) error {
	if err := p.Publisher.Publish(topic, msgs...); err != nil {
		return err
	}
	p.n.Add(int64(len(msgs)))
	return nil
}
