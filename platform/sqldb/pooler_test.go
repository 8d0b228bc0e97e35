package sqldb_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// Behind PgBouncer in transaction mode, where each transaction may run on
// another server connection: instances that start together migrate one at
// a time (a lock row, not a session advisory lock the pooler would strand
// on one connection), and transactions that pipeline their statements and
// take transaction-level advisory locks commit, many at once, with no
// prepared statement left behind on a connection.
func TestADatabaseBehindATransactionPoolerMigratesAndCommits(t *testing.T) {
	url := sqldbtest.PooledURL(t, "m")
	history := sqldb.Migrations{
		SQLite: fstest.MapFS{},
		Postgres: fstest.MapFS{
			"0001_a.sql": {Data: []byte("-- +goose Up\nCREATE TABLE a (id int PRIMARY KEY, n int NOT NULL);\nSELECT pg_sleep(0.05);\n-- +goose Down\nDROP TABLE a;\n")},
			"0002_b.sql": {Data: []byte("-- +goose Up\nINSERT INTO a VALUES (1, 0);\n-- +goose Down\nDELETE FROM a;\n")},
		},
		Table: "schema_version",
	}
	const instances = 4
	dbs := make([]*sqldb.DB, instances)
	for i := range dbs {
		db, err := sqldb.OpenPostgres(context.Background(), url, "m", sqldb.PostgresOptions{MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if !db.Pooled() {
			t.Fatal("default_query_exec_mode=exec in the URL does not mark the database as pooled")
		}
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make(chan error, instances*26)
	for _, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Migrate(context.Background(), history)
		}()
	}
	wg.Wait()
	for _, db := range dbs {
		for range 25 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
					if err := sqldb.Postgres.LockKey(ctx, tx, "a/1"); err != nil {
						return err
					}
					var n int
					if err := tx.QueryRowContext(ctx, `SELECT n FROM a WHERE id = $1`, 1).Scan(&n); err != nil {
						return err
					}
					return tx.ExecLater(ctx, `UPDATE a SET n = $1 WHERE id = $2`, n+1, 1)
				})
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// The advisory lock serialised the read-modify-writes: none was lost.
	if got := sqldbtest.Strings(t, dbs[0], `SELECT n::text FROM a`); strings.Join(got, ",") != "100" {
		t.Errorf("counter = %v after 100 locked increments, want 100", got)
	}
	if got := sqldbtest.Strings(t, dbs[0], `SELECT version_id::text FROM schema_version WHERE version_id > 0 ORDER BY id`); strings.Join(got, ",") != "1,2" {
		t.Errorf("applied versions %v, want each of 1,2 once", got)
	}
	if got := sqldbtest.Strings(t, dbs[0], `SELECT to_regclass('goose_lock')::text`); strings.Join(got, ",") != "goose_lock" {
		t.Errorf("no goose_lock table: the migrations took no lock row (%v)", got)
	}
	if got := sqldbtest.Strings(t, dbs[0], `SELECT name::text FROM pg_prepared_statements`); len(got) != 0 {
		t.Errorf("prepared statements left on a pooled server connection: %v", got)
	}
}

// A pooler drops the search_path a connection asks for at start-up: a
// database whose role or database sets none is refused at open, naming the
// fix, rather than creating the module's tables in public.
func TestAPoolerThatDropsTheSearchPathIsRefusedAtOpen(t *testing.T) {
	url := sqldbtest.PooledURL(t, "")
	db, err := sqldb.OpenPostgres(context.Background(), url, "m", sqldb.PostgresOptions{MaxConns: 1})
	if err == nil {
		db.Close()
		t.Fatal("opened a database whose connections do not work in its schema")
	}
	if !strings.Contains(err.Error(), "search_path") {
		t.Errorf("the error names no search_path: %v", err)
	}
}
