package migrations_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"example.com/modmono/migrations"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// Rows written before the fixed-width migration kept time.RFC3339Nano; the
// migration rewrites them to sqldb.TimeLayout without changing the time.
func TestTimesWrittenBeforeBecomeFixedWidth(t *testing.T) {
	tests := []struct {
		module  string
		before  int64    // the version just before the fixed-width migration
		inserts []string // {0}, {1}, {2}: the old times below
	}{
		{"users", 1, []string{
			`INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ('u1', 'a@example.com', 'A', 'h', '{0}', '{1}')`,
		}},
		{"orders", 2, []string{
			`INSERT INTO orders (id, user_id, status, items, total_cents, currency, shipping_address, created_at, updated_at)
			 VALUES ('o1', 'u1', 'placed', '[]', 0, 'EUR', '{}', '{0}', '{1}')`,
			`INSERT INTO user_addresses (user_id, address, updated_at) VALUES ('u1', '{}', '{0}')`,
			`INSERT INTO deleted_users (user_id, deleted_at) VALUES ('u2', '{1}')`,
			`INSERT INTO idempotency_keys (user_id, key, request_hash, order_json, created_at) VALUES ('u1', 'k', 'h', '{}', '{2}')`,
		}},
		{"notifications", 1, []string{
			`INSERT INTO notifications (id, user_id, kind, subject, body, event_id, created_at) VALUES ('n1', 'u1', 'k', 's', 'b', 'e1', '{0}')`,
			`INSERT INTO recipients (user_id, deleted_at) VALUES ('u1', '{1}')`,
			`INSERT INTO recipients (user_id, email, name) VALUES ('u2', 'b@example.com', 'B')`,
		}},
	}
	// Old rows: a fraction with trailing zeros dropped, none at all, and one
	// already fixed width.
	old := []string{"2026-11-22T10:00:00.12Z", "2026-11-22T10:00:01Z", "2026-11-22T10:00:02.000000300Z"}
	for _, tc := range tests {
		t.Run(tc.module, func(t *testing.T) {
			ctx := context.Background()
			db, p := open(t, tc.module)
			if _, err := p.UpTo(ctx, tc.before); err != nil {
				t.Fatal(err)
			}
			for _, ins := range tc.inserts {
				if _, err := db.Write.Exec(strings.NewReplacer("{0}", old[0], "{1}", old[1], "{2}", old[2]).Replace(ins)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatal(err)
			}
			checkTimes(t, db, old)
		})
	}
}

// open returns a module's database holding the platform's histories, as
// the host migrates them before the module's (modular.Host.Migrations), and
// a provider of the module's own.
func open(t *testing.T, module string) (*sqldb.DB, *goose.Provider) {
	t.Helper()
	own := migrations.Of(module)
	db, err := sqldb.OpenSQLite(filepath.Join(t.TempDir(), module+".db"), sqldb.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, m := range append(messaging.Schema(), sqldb.Schema()) {
		if err := db.Migrate(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.Write, own.SQLite,
		goose.WithTableName(own.Table), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return db, p
}

// checkTimes reads every *_at column of every table and checks that each
// value is fixed width and one of the times in old.
func checkTimes(t *testing.T, db *sqldb.DB, old []string) {
	t.Helper()
	want := map[time.Time]bool{}
	for _, s := range old {
		at, _ := time.Parse(time.RFC3339Nano, s)
		want[at] = true
	}
	rows, err := db.Read.Query(`SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name LIKE '%\_at' ESCAPE '\'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	checked := 0
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		values, err := db.Read.Query(`SELECT ` + column + ` FROM ` + table + ` WHERE ` + column + ` IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for values.Next() {
			var s string
			if err := values.Scan(&s); err != nil {
				t.Fatal(err)
			}
			at, err := time.Parse(sqldb.TimeLayout, s)
			if err != nil || !want[at] {
				t.Errorf("%s.%s = %q: want one of %q in layout %s", table, column, s, old, sqldb.TimeLayout)
			}
			checked++
		}
		values.Close()
	}
	if checked == 0 {
		t.Fatal("no time column checked")
	}
}
