package wiring_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/testenv"
)

// Each module logs in as a role of its own that owns its schema and nothing
// else (the SQL in docs/scaling.md): the whole story works, and a module's role is
// refused another module's tables.
func TestAModuleRoleCannotReadAnotherModulesSchema(t *testing.T) {
	admin := testenv.Service(t, "TEST_DATABASE_URL")
	suffix := strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	roles := map[string]string{}
	for _, m := range []string{"users", "orders", "notifications"} {
		roles[m] = m + "_" + suffix
	}
	// Roles belong to the server, not a database: drop them after the
	// test's database (cleanups run last registered first).
	t.Cleanup(func() {
		withConn(t, admin, func(conn *pgx.Conn) error {
			for _, r := range roles {
				if _, err := conn.Exec(context.Background(), "DROP ROLE IF EXISTS "+r); err != nil {
					return err
				}
			}
			return nil
		})
	})
	dbURL := sqldbtest.PostgresURL(t)
	withConn(t, dbURL, func(conn *pgx.Conn) error {
		for m, r := range roles {
			for _, stmt := range []string{
				"CREATE ROLE " + r + " LOGIN PASSWORD 'pw-" + r + "'",
				"CREATE SCHEMA " + m + " AUTHORIZATION " + r,
			} {
				if _, err := conn.Exec(context.Background(), stmt); err != nil {
					return err
				}
			}
		}
		return nil
	})
	as := func(module string) string {
		u, _ := url.Parse(dbURL)
		u.User = url.UserPassword(roles[module], "pw-"+roles[module])
		return u.String()
	}

	s := startServer(t, "USERS_DATABASE_URL", as("users"), "ORDERS_DATABASE_URL", as("orders"),
		"NOTIFICATIONS_DATABASE_URL", as("notifications"))
	_, token := s.signUp(t)
	s.placeOrder(t, token, orderBody("A-1"), nil)
	eventually(t, "the welcome and order notifications", func() bool { return len(s.notifications(t, token)) == 2 })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, as("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders.orders").Scan(&n); err != nil || n != 1 {
		t.Fatalf("the orders role reading its own orders: n=%d err=%v", n, err)
	}
	for _, table := range []string{"users.users", "notifications.recipients", "users.pubsub_messages"} {
		_, err := conn.Exec(ctx, "SELECT 1 FROM "+table)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("the orders role reading %s: %v, want permission denied (42501)", table, err)
		}
	}
}

// withConn runs f on a connection to url.
func withConn(t *testing.T, url string, f func(*pgx.Conn) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := f(conn); err != nil {
		t.Fatal(err)
	}
}
