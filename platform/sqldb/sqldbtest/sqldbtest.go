// Package sqldbtest gives tests their databases: a SQLite file in the
// test's temporary directory, and, when TEST_DATABASE_URL names a PostgreSQL
// server, a database of the test's own on it, created for the test and
// dropped after it.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/testenv"
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

// PostgresURL creates a database of the test's own on the server at
// TEST_DATABASE_URL and returns its URL; the cleanup drops it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := testenv.Service(t, "TEST_DATABASE_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
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
		db, err = sqldb.OpenSQLite(filepath.Join(t.TempDir(), schema+".db"), sqldb.Options{})
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

// QueryPlan is SQLite's EXPLAIN QUERY PLAN of query with args, one step a
// line ("SEARCH inbox USING COVERING INDEX …", "SCAN inbox"); an error fails
// t. Tests use it to check that a statement the code runs uses an index.
func QueryPlan(t testing.TB, db *sqldb.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Write.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "\n")
}

// PooledURL creates a database of the test's own, as PostgresURL does, and
// returns its URL through the transaction-pooling PgBouncer at
// TEST_PGBOUNCER_URL (`make pgbouncer`), with the pgx setting such a pooler
// needs (default_query_exec_mode=exec). The pooler drops the search_path a
// connection asks for, so the database's own is set to schema, as a
// deployment sets its module role's.
func PooledURL(t testing.TB, schema string) string {
	t.Helper()
	proxy := testenv.Service(t, "TEST_PGBOUNCER_URL")
	direct := PostgresURL(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if schema != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, direct)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+name+" SET search_path TO "+pgx.Identifier{schema}.Sanitize()); err != nil {
			t.Fatal(err)
		}
	}
	p, err := url.Parse(proxy)
	if err != nil {
		t.Fatalf("TEST_PGBOUNCER_URL: %v", err)
	}
	p.Path = "/" + name
	q := p.Query()
	q.Set("default_query_exec_mode", "exec")
	p.RawQuery = q.Encode()
	return p.String()
}
