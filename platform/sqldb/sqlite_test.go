package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

func open(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqldb.OpenSQLite(filepath.Join(t.TempDir(), "t.db"), sqldb.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Write.Exec(`CREATE TABLE rows (name TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func insert(ctx context.Context, tx *sqldb.Tx, name string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rows (name) VALUES (?)`, name)
	return err
}

func names(t *testing.T, db *sqldb.DB) map[string]bool {
	out := map[string]bool{}
	for _, n := range sqldbtest.Strings(t, db, `SELECT name FROM rows`) {
		out[n] = true
	}
	return out
}

// groupBehind holds the writer in one transaction while n more InTx calls
// queue up, so that they are committed as one group; it returns once all
// have returned, with each call's error.
func groupBehind(t *testing.T, db *sqldb.DB, n int, fn func(i int, ctx context.Context, tx *sqldb.Tx) error) []error {
	t.Helper()
	release, started := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
			close(started)
			<-release
			return insert(ctx, tx, "blocker")
		})
	}()
	<-started
	errs := make([]error, n)
	var queued sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		queued.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			queued.Done()
			errs[i] = db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error { return fn(i, ctx, tx) })
		}()
	}
	queued.Wait()
	close(release)
	wg.Wait()
	return errs
}

func TestAFailingCallInAGroupUndoesOnlyItsOwnWrites(t *testing.T) {
	db := open(t)
	errs := groupBehind(t, db, 20, func(i int, ctx context.Context, tx *sqldb.Tx) error {
		if err := insert(ctx, tx, fmt.Sprint("row", i)); err != nil {
			return err
		}
		switch i % 4 {
		case 1:
			return errors.New("use case failed after writing")
		case 2:
			return insert(ctx, tx, "blocker") // unique violation (committed before the group) after a successful write
		case 3:
			if i == 3 {
				panic("bug")
			}
		}
		return nil
	})
	got := names(t, db)
	for i, err := range errs {
		name := fmt.Sprint("row", i)
		if (err == nil) != got[name] {
			t.Errorf("call %d returned %v but its row stored = %v", i, err, got[name])
		}
		if wantFail := i%4 == 1 || i%4 == 2 || i == 3; wantFail == (err == nil) {
			t.Errorf("call %d returned %v", i, err)
		}
	}
	if errs[3] == nil || errs[3].Error() != "panic: bug" {
		t.Errorf("the panic did not reach its caller: %v", errs[3])
	}
}

func TestCommitHooksRunAfterTheGroupCommits(t *testing.T) {
	db := open(t)
	var commits atomic.Int64
	db.OnCommit(func() { commits.Add(1) })
	groupBehind(t, db, 10, func(i int, ctx context.Context, tx *sqldb.Tx) error {
		return insert(ctx, tx, fmt.Sprint("r", i))
	})
	// The writer runs the hooks after it answers the group.
	for deadline := time.Now().Add(5 * time.Second); commits.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := commits.Load(); n < 2 || n > 11 {
		t.Fatalf("%d commit hooks for the blocker and a group of 10", n)
	}
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error { return errors.New("no") }); err == nil {
		t.Fatal("error swallowed")
	}
	before := commits.Load()
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error { return errors.New("no") }); err == nil || commits.Load() != before {
		t.Fatal("a rolled-back transaction ran the commit hooks")
	}
}

func TestConcurrentWritersNeverSeeBusy(t *testing.T) {
	db := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64*20)
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				errs <- db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
					return insert(ctx, tx, fmt.Sprint(g, "-", i))
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(names(t, db)); n != 64*20 {
		t.Fatalf("%d rows, want %d", n, 64*20)
	}
}

func TestInTxAfterCloseFails(t *testing.T) {
	db := open(t)
	db.Close()
	err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error { return nil })
	if !errors.Is(err, sqldb.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

// holdWriter keeps the writer in a transaction that writes name once
// release is called; the channel gets the transaction's outcome.
func holdWriter(t *testing.T, db *sqldb.DB, name string) (release func(), outcome <-chan error) {
	t.Helper()
	started, hold := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
			close(started)
			<-hold
			return insert(ctx, tx, name)
		})
	}()
	<-started
	return sync.OnceFunc(func() { close(hold) }), errc
}

// awaitQueued waits until n InTx calls wait for the writer.
func awaitQueued(t *testing.T, db *sqldb.DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); db.QueueDepth() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", db.QueueDepth(), n)
		}
	}
}

func TestAnInTxWhoseDeadlinePassesInTheQueueReturnsAtOnceAndNeverRuns(t *testing.T) {
	db := open(t)
	release, slow := holdWriter(t, db, "slow")
	time.AfterFunc(2*time.Second, release)
	var ran atomic.Bool
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		ran.Store(true)
		return insert(ctx, tx, "abandoned")
	})
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > 150*time.Millisecond {
		t.Fatalf("InTx = %v after %v, want the deadline's error within 150ms", err, took)
	}
	if err := <-slow; err != nil {
		t.Fatalf("the slow transaction: %v", err)
	}
	// A call queued after the abandoned one: once it returns, the writer
	// has come past the abandoned one.
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		return insert(ctx, tx, "after")
	}); err != nil {
		t.Fatal(err)
	}
	if ran.Load() {
		t.Error("the writer ran the fn of a call that had returned")
	}
	if got := names(t, db); !got["slow"] || !got["after"] || got["abandoned"] {
		t.Errorf("rows %v, want slow and after only", got)
	}
}

func TestAnInTxWhoseContextEndsWhileFnRunsWaitsForFnAndIsRolledBack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		others []string // calls queued before and after it, in its group
	}{
		{"alone", nil},
		{"in a group", []string{"before", "after"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := open(t)
			release, blocker := holdWriter(t, db, "blocker")
			outcomes := map[string]<-chan error{}
			queue := func(ctx context.Context, name string, fn func(ctx context.Context, tx *sqldb.Tx) error) {
				errc := make(chan error, 1)
				go func() { errc <- db.InTx(ctx, fn) }()
				outcomes[name] = errc
				awaitQueued(t, db, len(outcomes))
			}
			plain := func(name string) func(ctx context.Context, tx *sqldb.Tx) error {
				return func(ctx context.Context, tx *sqldb.Tx) error { return insert(ctx, tx, name) }
			}
			if tc.others != nil {
				queue(context.Background(), tc.others[0], plain(tc.others[0]))
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var fnReturned atomic.Bool
			queue(ctx, "cancelled", func(ctx context.Context, tx *sqldb.Tx) error {
				defer fnReturned.Store(true)
				err := insert(ctx, tx, "cancelled")
				cancel()
				time.Sleep(20 * time.Millisecond) // time for a caller that does not wait to return
				return err
			})
			if tc.others != nil {
				queue(context.Background(), tc.others[1], plain(tc.others[1]))
			}
			release()
			if err := <-outcomes["cancelled"]; !errors.Is(err, context.Canceled) || !fnReturned.Load() {
				t.Errorf("InTx = %v, fn returned = %v; want context.Canceled after fn returned", err, fnReturned.Load())
			}
			for _, name := range tc.others {
				if err := <-outcomes[name]; err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			if err := <-blocker; err != nil {
				t.Fatal(err)
			}
			got := names(t, db)
			for _, name := range append(tc.others, "blocker") {
				if !got[name] {
					t.Errorf("%s was not committed", name)
				}
			}
			if got["cancelled"] {
				t.Error("the write of a call whose context ended was committed")
			}
		})
	}
}

// Callers with deadlines all around the time the writer reaches them: each
// call's fn runs only while its caller waits, and a call that returned an
// error left nothing behind.
func TestCallersThatGiveUpNeverHaveTheirFnRunAfterwards(t *testing.T) {
	db := open(t)
	const calls = 200
	errs := make([]error, calls)
	var late atomic.Int64
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%20)*200*time.Microsecond)
			defer cancel()
			var returned atomic.Bool
			errs[i] = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				if returned.Load() {
					late.Add(1)
				}
				return insert(ctx, tx, fmt.Sprint("r", i))
			})
			returned.Store(true)
		}()
	}
	wg.Wait()
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error { return nil }); err != nil {
		t.Fatal(err) // the writer has now come past every call
	}
	if n := late.Load(); n > 0 {
		t.Errorf("%d fns ran after their caller returned", n)
	}
	got := names(t, db)
	for i, err := range errs {
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("call %d: %v", i, err)
		}
		if stored := got[fmt.Sprint("r", i)]; stored != (err == nil) {
			t.Errorf("call %d returned %v, but its row stored = %v", i, err, stored)
		}
	}
}

// A new database file, its WAL and its shared memory are readable by their
// owner only, whatever the process's umask: they hold password hashes.
func TestANewDatabaseIsReadableByItsOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "private.db")
	db, err := sqldb.OpenSQLite(path, sqldb.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Write.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), mode)
		}
	}
}

// A deleted row's bytes do not stay in the database file: SQLite overwrites
// them (secure_delete), so erasing a user erases them from the disk too.
func TestDeletedRowsLeaveNoBytesInTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erase.db")
	db, err := sqldb.OpenSQLite(path, sqldb.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secret := "victim-4f1c9e@example.com"
	for _, q := range []string{
		`CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO people (email) SELECT 'someone-' || i || '@example.com' FROM n`,
		`INSERT INTO people (email) VALUES ('` + secret + `')`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`DELETE FROM people WHERE email = '` + secret + `'`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, p := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), secret) {
			t.Errorf("%s still holds the deleted row's bytes", filepath.Base(p))
		}
	}
}
