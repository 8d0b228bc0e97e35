package sqldb_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

var itemsTable = sqldb.Migrations{
	SQLite:   fstest.MapFS{"0001_items.sql": {Data: []byte("-- +goose Up\nCREATE TABLE items (name TEXT PRIMARY KEY);\n-- +goose Down\nDROP TABLE items;\n")}},
	Postgres: fstest.MapFS{"0001_items.sql": {Data: []byte("-- +goose Up\nCREATE TABLE items (name TEXT PRIMARY KEY);\n-- +goose Down\nDROP TABLE items;\n")}},
	Table:    "schema_version",
}

func items(t *testing.T, db *sqldb.DB) []string {
	return sqldbtest.Strings(t, db, `SELECT name FROM items ORDER BY name`)
}

// What a transaction queues with ExecLater (sent with the next statement or
// the COMMIT, on PostgreSQL) is part of the transaction like the rest: seen
// by its later queries, committed with it, undone with it, and a failure of
// it fails the transaction.
func TestStatementsSentLaterBelongToTheTransaction(t *testing.T) {
	ctx := context.Background()
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := sqldbtest.Open(t, engine, "txn", itemsTable)

			// Queued, then read back by a query of the same transaction.
			var seen int
			err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				if err := sqldb.ExecLater(ctx, tx, `INSERT INTO items (name) VALUES ($1)`, "a"); err != nil {
					return err
				}
				return tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE name = $1`, "a").Scan(&seen)
			})
			if err != nil || seen != 1 {
				t.Fatalf("queued insert seen %d times by the transaction (err %v), want once", seen, err)
			}

			// Queued last, committed with the COMMIT.
			woken := atomic.Int32{}
			db.Listen("items", func() { woken.Add(1) })
			if engine == sqldb.Postgres { // its listener calls once when it connects
				for deadline := time.Now().Add(5 * time.Second); woken.Load() == 0 && time.Now().Before(deadline); {
					time.Sleep(10 * time.Millisecond)
				}
				woken.Store(0)
			}
			err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ($1)`, "b"); err != nil {
					return err
				}
				tx.Notify("items")
				return sqldb.ExecLater(ctx, tx, `INSERT INTO items (name) VALUES ($1)`, "c")
			})
			if err != nil {
				t.Fatal(err)
			}
			// (SQLite's writer runs the commit hooks after it answers.)
			for deadline := time.Now().Add(5 * time.Second); woken.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			if woken.Load() == 0 {
				t.Error("the commit woke no listener")
			}

			// A queued statement that fails fails the commit, and undoes
			// what came before it.
			before := woken.Load()
			err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ($1)`, "d"); err != nil {
					return err
				}
				tx.Notify("items")
				return sqldb.ExecLater(ctx, tx, `INSERT INTO items (name) VALUES ($1)`, "a") // taken
			})
			if err == nil || !sqldb.IsUniqueViolation(err) {
				t.Errorf("a duplicate queued insert: %v, want a unique violation", err)
			}
			if engine == sqldb.Postgres && woken.Load() != before {
				t.Error("a rolled back transaction woke its listeners")
			}

			// fn's error undoes what it queued.
			boom := errors.New("boom")
			err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				if err := sqldb.ExecLater(ctx, tx, `INSERT INTO items (name) VALUES ($1)`, "e"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Errorf("InTx = %v, want fn's error", err)
			}

			if got, want := items(t, db), []string{"a", "b", "c"}; !slices.Equal(got, want) {
				t.Errorf("items %v, want %v", got, want)
			}
		})
	}
}

// A statement queued with ExecLaterAs that fails fails the transaction with
// its own error, as its wrap made it, whichever later call sends it: a
// statement, a query, or the commit.
func TestAQueuedStatementsErrorIsItsOwnWhoeverSendsIt(t *testing.T) {
	ctx := context.Background()
	taken := errors.New("name taken")
	wrap := func(err error) error {
		if sqldb.IsUniqueViolation(err) {
			return taken
		}
		return err
	}
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := sqldbtest.Open(t, engine, "txn", itemsTable)
			if err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				return sqldb.ExecLater(ctx, tx, `INSERT INTO items (name) VALUES ($1)`, "a")
			}); err != nil {
				t.Fatal(err)
			}
			for _, next := range []struct {
				name string
				run  func(ctx context.Context, tx *sqldb.Tx) error
			}{
				{"the commit", func(context.Context, *sqldb.Tx) error { return nil }},
				{"a statement", func(ctx context.Context, tx *sqldb.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ($1)`, "b")
					return err
				}},
				{"a query", func(ctx context.Context, tx *sqldb.Tx) error {
					var n int
					return tx.QueryRowContext(ctx, `SELECT count(*) FROM items`).Scan(&n)
				}},
			} {
				err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
					if err := sqldb.ExecLaterAs(ctx, tx, wrap, `INSERT INTO items (name) VALUES ($1)`, "a"); err != nil {
						return err
					}
					return next.run(ctx, tx)
				})
				if !errors.Is(err, taken) {
					t.Errorf("a failing queued statement followed by %s: %v, want its wrapped error", next.name, err)
				}
			}
			if got, want := items(t, db), []string{"a"}; !slices.Equal(got, want) {
				t.Errorf("items %v, want %v", got, want)
			}
		})
	}
}

// A PostgreSQL transaction that carries on after a failed statement cannot
// commit: the server answers COMMIT with ROLLBACK, and InTx says so.
func TestACommitAfterAFailedStatementFails(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.Postgres, "txn", itemsTable)
	ctx := context.Background()
	if err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ($1)`, "a")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, _ = tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ($1)`, "a") // fails, ignored
		return nil
	})
	if err == nil {
		t.Fatal("InTx committed a transaction whose statement failed")
	}
	// The connection went back to the pool fit for use.
	for range 3 {
		if err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ($1) ON CONFLICT DO NOTHING`, "b")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// An InTx inside another's fn on the same database is refused at once (on
// SQLite it would wait forever for the writer running the outer fn), and
// the writes that follow succeed; one on another database is no nesting.
func TestANestedInTxOnTheSameDatabaseIsRefusedAtOnce(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := sqldbtest.Open(t, engine, "txn", itemsTable)
			other := sqldbtest.Open(t, engine, "other", itemsTable)
			insert := func(name string) func(ctx context.Context, tx *sqldb.Tx) error {
				return func(ctx context.Context, tx *sqldb.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO items (name) VALUES ($1)`, name)
					return err
				}
			}
			var nested, elsewhere error
			var took time.Duration
			err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
				// A nested call that is not refused fails by its deadline
				// instead of hanging the test.
				ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				start := time.Now()
				nested = db.InTx(ctx, insert("inner"))
				took = time.Since(start)
				elsewhere = other.InTx(ctx, insert("elsewhere"))
				return insert("outer")(ctx, tx)
			})
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(nested, sqldb.ErrNestedTx) || took > 100*time.Millisecond {
				t.Errorf("nested InTx = %v after %v, want ErrNestedTx within 100ms", nested, took)
			}
			if elsewhere != nil {
				t.Errorf("InTx on another database inside fn: %v", elsewhere)
			}
			if err := db.InTx(context.Background(), insert("later")); err != nil {
				t.Fatalf("a write after the nested call: %v", err)
			}
			if got, want := items(t, db), []string{"later", "outer"}; !slices.Equal(got, want) {
				t.Errorf("items %v, want %v", got, want)
			}
			if got, want := items(t, other), []string{"elsewhere"}; !slices.Equal(got, want) {
				t.Errorf("items on the other database %v, want %v", got, want)
			}
		})
	}
}
