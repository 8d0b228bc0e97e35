package sqldbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"example.com/modmono/platform/testenv"
)

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
