package messaging_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// recorder is a bus that keeps the payloads published on it. A gate, when
// set, holds the first publish until it closes; failing makes every
// publish fail.
type recorder struct {
	mu       sync.Mutex
	payloads []string
	gate     chan struct{} // closed by the test
	held     chan struct{} // closed once the first publish waits at gate
	gated    bool          // the first publish came
	failing  bool
}

func (r *recorder) Publish(_ string, msgs ...*message.Message) error {
	r.mu.Lock()
	wait := r.gate != nil && !r.gated
	r.gated = true
	failing := r.failing
	r.mu.Unlock()
	if wait {
		close(r.held)
		<-r.gate
	}
	if failing {
		return errors.New("the bus is down")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.payloads = append(r.payloads, string(m.Payload))
	}
	return nil
}

func (r *recorder) Close() error { return nil }

func (r *recorder) published() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.payloads)
}

// commit adds an event with payload n to db's outbox, committed.
func commit(t *testing.T, db *sqldb.DB, n string) {
	t.Helper()
	outbox := messagingtest.Outbox(t, "test")
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		return outbox.Add(ctx, tx, "test.Happened.v1", n)
	}); err != nil {
		t.Fatal(err)
	}
}

// A request's inline publish that finds the scheduled relay holding the
// outbox waits for it instead of leaving its event behind, and the event
// goes out once, after the ones committed before it.
func TestRelayCommittedWaitsForTheRelayHoldingTheOutbox(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := openDBOn(t, engine)
			bus := &recorder{gate: make(chan struct{}), held: make(chan struct{})}
			logger := messaging.WatermillLogger(quiet)
			commit(t, db, "first")
			sweep := make(chan error, 1)
			go func() { _, err := messaging.RelayOnce(context.Background(), db, bus, logger); sweep <- err }()
			<-bus.held // the sweep holds the lease, publishing "first"

			commit(t, db, "second")
			if n, err := messaging.RelayOnce(context.Background(), db, bus, logger); n != 0 || err != nil {
				t.Fatalf("a second scheduled run beside the first published %d (%v)", n, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			inline := make(chan error, 1)
			go func() { _, err := messaging.RelayCommitted(ctx, db, bus, logger); inline <- err }()
			select {
			case err := <-inline:
				t.Fatalf("the inline publish left (%v) while the sweep held the outbox", err)
			case <-time.After(200 * time.Millisecond):
			}
			close(bus.gate)
			if err := <-sweep; err != nil {
				t.Fatal(err)
			}
			if err := <-inline; err != nil {
				t.Fatalf("the inline publish: %v", err)
			}
			if got := bus.published(); !slices.Equal(got, []string{`"first"`, `"second"`}) {
				t.Fatalf("the bus got %v, want first then second, once each", got)
			}
		})
	}
}

// An inline publish that cannot get through within its deadline returns,
// says so, and leaves the event to the next scheduled run.
func TestRelayCommittedStopsAtItsDeadlineAndLeavesTheRest(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := openDBOn(t, engine)
			logger := messaging.WatermillLogger(quiet)
			commit(t, db, "late")
			if err := messaging.SetRelayOnce(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			n, err := messaging.RelayCommitted(ctx, db, &recorder{failing: true}, logger)
			if n != 0 || !errors.Is(err, messaging.ErrNotCaughtUp) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("published %d, error %v; want 0 and ErrNotCaughtUp for the deadline", n, err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("returned %s after a deadline of 300ms", took)
			}
			bus := &recorder{}
			if n, err := messaging.RelayOnce(context.Background(), db, bus, logger); n != 1 || err != nil {
				t.Fatalf("the next scheduled run published %d (%v), want the event left", n, err)
			}
		})
	}
}

func TestTrackCommitsTellsWhetherEventsWereCommitted(t *testing.T) {
	db := openDB(t)
	outbox := messagingtest.Outbox(t, "test")
	add := func(ctx context.Context, fail error) {
		_ = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			if err := outbox.Add(ctx, tx, "test.Happened.v1", "x"); err != nil {
				return err
			}
			return fail
		})
	}
	ctx, committed := messaging.TrackCommits(context.Background())
	add(ctx, errors.New("rolled back"))
	if committed() {
		t.Fatal("a rolled back event counted as committed")
	}
	add(ctx, nil)
	if !committed() {
		t.Fatal("a committed event was not noted")
	}
	ctx, committed = messaging.TrackCommits(context.Background())
	_ = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error { return nil })
	if committed() {
		t.Fatal("a transaction without events counted")
	}
}

// commitLog is a CommitObserver that keeps the ids it is told.
type commitLog struct {
	mu  sync.Mutex
	ids []string
}

func (l *commitLog) EventCommitted(msg *message.Message, _ time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids = append(l.ids, msg.UUID)
}

func TestObserveCommitsTellsEachEventOnceItsTransactionCommits(t *testing.T) {
	db := openDB(t)
	outbox := messagingtest.Outbox(t, "test")
	var log commitLog
	ctx := messaging.ObserveCommits(context.Background(), &log)
	_ = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := outbox.Add(ctx, tx, "test.Happened.v1", "rolled back"); err != nil {
			return err
		}
		return errors.New("rolled back")
	})
	if len(log.ids) != 0 {
		t.Fatalf("a rolled back event was told: %v", log.ids)
	}
	err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := outbox.Add(ctx, tx, "test.Happened.v1", "one"); err != nil {
			return err
		}
		if err := outbox.Add(ctx, tx, "test.Happened.v1", "two"); err != nil {
			return err
		}
		if len(log.ids) != 0 {
			t.Errorf("events told before their commit: %v", log.ids)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.ids) != 2 || log.ids[0] == log.ids[1] {
		t.Fatalf("told %v; want the two committed events", log.ids)
	}
	_ = db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		return outbox.Add(ctx, tx, "test.Happened.v1", "unobserved")
	})
	if len(log.ids) != 2 {
		t.Fatalf("an event stored without ObserveCommits was told: %v", log.ids)
	}
}
