package sqlpubsub_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

// jobs is a table a Follower reads: one row per name, in commit order.
var jobs = sqlpubsub.Table[string]{
	From: "jobs j", Alias: "j", Columns: "j.name",
	Scan: func(scan func(dest ...any) error) (string, error) {
		var name string
		err := scan(&name)
		return name, err
	},
}

func openJobs(t *testing.T, engine sqldb.Dialect) *sqldb.DB {
	t.Helper()
	db := openDB(t, engine)
	ddl := `CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, xid INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL)`
	if engine == sqldb.Postgres {
		ddl = `CREATE TABLE jobs (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
xid BIGINT NOT NULL DEFAULT pg_current_xact_id()::text::bigint, name TEXT NOT NULL)`
	}
	if _, err := db.Write.Exec(ddl); err != nil {
		t.Fatal(err)
	}
	return db
}

func addJobs(t *testing.T, db *sqldb.DB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := db.Write.Exec(`INSERT INTO jobs (name) VALUES ($1)`, n); err != nil {
			t.Fatal(err)
		}
	}
}

func names(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%03d", prefix, i))
	}
	return out
}

// handled records what a Follower handed out; fail, when set, refuses a row.
type handled struct {
	mu   sync.Mutex
	got  []string
	fail func(name string) bool
}

func (h *handled) handle(_ context.Context, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil && h.fail(name) {
		return errors.New("refused " + name)
	}
	h.got = append(h.got, name)
	return nil
}

func (h *handled) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

func newFollower(t *testing.T, db *sqldb.DB, signal *sqlpubsub.Signal) *sqlpubsub.Follower[string] {
	t.Helper()
	f, err := sqlpubsub.NewFollower(sqlpubsub.FollowerConfig{
		DB: db, Name: "jobs", Signal: signal, PollInterval: 50 * time.Millisecond, LeaseTTL: 2 * time.Second,
		BatchSize: 7, Retry: 10 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, jobs)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// follow runs f until stop is called, which waits for Run to return.
func follow(t *testing.T, f *sqlpubsub.Follower[string], h *handled) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx, h.handle) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Error(err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return within 5s of its context's end")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
	}
}

func eachEngine(t *testing.T, test func(t *testing.T, engine sqldb.Dialect)) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) { test(t, engine) })
	}
}

func TestAFollowerHandsOutEveryRowOnceInOrderAndResumesWhereItStopped(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqldb.Dialect) {
		db := openJobs(t, engine)
		addJobs(t, db, names("a", 0, 30)...)
		signal := new(sqlpubsub.Signal)
		f := newFollower(t, db, signal)
		h := &handled{}
		stop := follow(t, f, h)
		waitFor(t, "the first rows handed out", func() bool { return len(h.list()) >= 30 })
		addJobs(t, db, names("b", 0, 5)...)
		signal.Notify()
		waitFor(t, "the later rows handed out", func() bool { return len(h.list()) >= 35 })
		stop()
		if want := append(names("a", 0, 30), names("b", 0, 5)...); !slices.Equal(h.list(), want) {
			t.Fatalf("handed out %v, want %v", h.list(), want)
		}

		addJobs(t, db, names("c", 0, 3)...)
		again := &handled{}
		follow(t, newFollower(t, db, signal), again)
		waitFor(t, "the rows stored while none ran", func() bool { return len(again.list()) >= 3 })
		time.Sleep(100 * time.Millisecond) // room for a repeat to show
		if got := again.list(); !slices.Equal(got, names("c", 0, 3)) {
			t.Fatalf("after a restart, handed out %v, want only %v", got, names("c", 0, 3))
		}
	})
}

func TestAFailingRowHoldsBackTheRowsAfterItUntilItSucceeds(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqldb.Dialect) {
		db := openJobs(t, engine)
		addJobs(t, db, names("a", 0, 10)...)
		refusals := 0
		h := &handled{fail: func(name string) bool {
			if name == "a004" && refusals < 3 {
				refusals++
				return true
			}
			return false
		}}
		follow(t, newFollower(t, db, nil), h)
		waitFor(t, "every row handed out", func() bool { return len(h.list()) >= 10 })
		if got := h.list(); !slices.Equal(got, names("a", 0, 10)) || refusals != 3 {
			t.Fatalf("handed out %v after %d refusals, want each once in order after 3", got, refusals)
		}
	})
}

func TestOneFollowerAtATimeHandsOutRows(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqldb.Dialect) {
		db := openJobs(t, engine)
		signal := new(sqlpubsub.Signal)
		h := &handled{}
		follow(t, newFollower(t, db, signal), h)
		follow(t, newFollower(t, db, signal), h)
		for _, n := range names("a", 0, 40) {
			addJobs(t, db, n)
			signal.Notify()
		}
		waitFor(t, "every row handed out", func() bool { return len(h.list()) >= 40 })
		time.Sleep(100 * time.Millisecond) // room for a repeat to show
		if got := h.list(); !slices.Equal(got, names("a", 0, 40)) {
			t.Fatalf("two followers handed out %v, want each row once, in order", got)
		}
	})
}

// On PostgreSQL a transaction that began first may commit last: its row
// is handed out before those committed after it began, never skipped.
func TestARowOfAnOlderTransactionIsNotOvertaken(t *testing.T) {
	db := openJobs(t, sqldb.Postgres)
	ctx := context.Background()
	older, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer older.Rollback() //nolint:errcheck // committed below
	if _, err := older.ExecContext(ctx, `INSERT INTO jobs (name) VALUES ('older')`); err != nil {
		t.Fatal(err)
	}
	addJobs(t, db, "newer")
	h := &handled{}
	follow(t, newFollower(t, db, nil), h)
	time.Sleep(200 * time.Millisecond)
	if got := h.list(); len(got) != 0 {
		t.Fatalf("handed out %v while an older transaction ran", got)
	}
	if err := older.Commit(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both rows handed out", func() bool { return len(h.list()) >= 2 })
	if got := h.list(); !slices.Equal(got, []string{"older", "newer"}) {
		t.Fatalf("handed out %v, want [older newer]", got)
	}
}
