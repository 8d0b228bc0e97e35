package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

func open(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqldb.OpenSQLite(filepath.Join(t.TempDir(), "t.db"), sqldb.Options{})
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
