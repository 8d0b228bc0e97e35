// Package sqldbtest gives tests their databases: a SQLite file in the
// test's temporary directory, and, when TEST_DATABASE_URL names a PostgreSQL
// server, a database of the test's own on it, created for the test and
// dropped after it.
package sqldbtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"example.com/modmono/platform/sqldb"
)

// Engines are the engines a store test runs on: SQLite always, PostgreSQL
// when the environment offers one (see PostgresURL).
var Engines = []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres}

// Engine is the engine of the suites run once per engine: PostgreSQL when
// TEST_STORAGE=postgres, else SQLite.
func Engine() sqldb.Dialect {
	if os.Getenv("TEST_STORAGE") == "postgres" {
		return sqldb.Postgres
	}
	return sqldb.SQLite
}

// Open opens a fresh, empty database on engine for schema (the file name
// on SQLite) and applies histories to it; the cleanup closes it.
func Open(t testing.TB, engine sqldb.Dialect, schema string, histories ...sqldb.Migrations) *sqldb.DB {
	t.Helper()
	var db *sqldb.DB
	var err error
	switch engine {
	case sqldb.Postgres:
		db, err = sqldb.OpenPostgres(context.Background(), PostgresURL(t), schema, sqldb.PostgresOptions{})
	default:
		db, err = sqldb.OpenSQLite(filepath.Join(t.TempDir(), schema+".db"), sqldb.SQLiteOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, m := range histories {
		if err := db.Migrate(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// Strings runs query, which selects one text column, on db's reader and
// returns its values in order; an error fails t.
func Strings(t testing.TB, db *sqldb.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Read.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
