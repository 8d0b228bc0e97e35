package sqldb_test

import (
	"context"
	"testing"
	"testing/fstest"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// Instances that start together on a new database all open the module's
// schema, whichever of them creates it.
func TestConcurrentOpensShareTheNewSchema(t *testing.T) {
	url := sqldbtest.PostgresURL(t)
	const opens = 16
	start := make(chan struct{})
	errs := make(chan error, opens)
	for range opens {
		go func() {
			<-start
			db, err := sqldb.OpenPostgres(context.Background(), url, "orders", sqldb.PostgresOptions{MaxConns: 1})
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	close(start)
	for range opens {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Instances that start together migrate one at a time: each history is
// applied once, and none of them fails on another's half-made tables.
func TestConcurrentMigrationsApplyEachHistoryOnce(t *testing.T) {
	url := sqldbtest.PostgresURL(t)
	history := sqldb.Migrations{
		SQLite: fstest.MapFS{},
		Postgres: fstest.MapFS{
			"0001_a.sql": {Data: []byte("-- +goose Up\nCREATE TABLE a (id int);\nSELECT pg_sleep(0.05);\n-- +goose Down\nDROP TABLE a;\n")},
			"0002_b.sql": {Data: []byte("-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\n")},
		},
		Table: "schema_version",
	}
	const instances = 8
	dbs := make([]*sqldb.DB, instances)
	for i := range dbs {
		db, err := sqldb.OpenPostgres(context.Background(), url, "m", sqldb.PostgresOptions{MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	start := make(chan struct{})
	errs := make(chan error, instances)
	for _, db := range dbs {
		go func() {
			<-start
			errs <- db.Migrate(context.Background(), history)
		}()
	}
	close(start)
	for range instances {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if err := dbs[0].CheckMigrated(context.Background(), history); err != nil {
		t.Fatal(err)
	}
}
