package migrations_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// The platform's tables kept unix milliseconds before their text_times
// migrations; each is converted to sqldb.TimeLayout, the same instant, and
// back again by the migration's Down.
func TestPlatformTimesKeptInMillisecondsReadBackAsTheSameInstants(t *testing.T) {
	ms := []int64{0, 1764000000123, 1764000000999} // 0: a lease never taken
	// Each insert takes a key ($1) and a time in milliseconds ($2).
	inserts := []struct{ table, insert, read string }{
		{"pubsub_messages", `INSERT INTO pubsub_messages (topic, uuid, payload, metadata, created_at) VALUES ('t', $1, '', '{}', $2)`,
			`SELECT created_at FROM pubsub_messages ORDER BY seq`},
		{"pubsub_offsets", `INSERT INTO pubsub_offsets (consumer_group, topic, lease_until) VALUES ($1, 't', $2)`,
			`SELECT lease_until FROM pubsub_offsets ORDER BY lease_until`},
		{"inbox", `INSERT INTO inbox (handler, message_id, handled_at) VALUES ('h', $1, $2)`,
			`SELECT handled_at FROM inbox ORDER BY handled_at`},
		{"write_probe", `INSERT INTO write_probe (id, probed_at) SELECT 1, $2 WHERE $1 <> '' ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`,
			`SELECT probed_at FROM write_probe`},
	}
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := sqldbtest.Open(t, engine, "times")
			providers, before := atTheVersionBefore(t, db, "text_times", append(messaging.Schema(), sqldb.Schema()))
			for _, ins := range inserts {
				for _, v := range ms {
					if _, err := db.Write.Exec(ins.insert, strconv.FormatInt(v, 10), v); err != nil {
						t.Fatalf("%s: %v", ins.table, err)
					}
				}
			}
			// A message pruned before: its seq is not handed out again.
			exec(t, db, `INSERT INTO pubsub_messages (topic, uuid, payload, metadata, created_at) VALUES ('t', 'pruned', '', '{}', 0)`)
			exec(t, db, `DELETE FROM pubsub_messages WHERE uuid = 'pruned'`)
			for _, p := range providers {
				if _, err := p.Up(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			for _, ins := range inserts {
				want := ms
				if ins.table == "write_probe" {
					want = ms[len(ms)-1:]
				}
				checkInstants(t, db, ins.read, want)
			}
			exec(t, db, `INSERT INTO pubsub_messages (topic, uuid, payload, metadata, created_at) VALUES ('t', 'new', '', '{}', '')`)
			if seq := sqldbtest.Strings(t, db, `SELECT CAST(seq AS TEXT) FROM pubsub_messages WHERE uuid = 'new'`); seq[0] != "5" {
				t.Errorf("the first message after the migration has seq %s, want 5: after the 4 handed out before", seq[0])
			}
			exec(t, db, `DELETE FROM pubsub_messages WHERE uuid = 'new'`)
			for i := len(providers) - 1; i >= 0; i-- {
				if _, err := providers[i].DownTo(context.Background(), before[i]); err != nil {
					t.Fatal(err)
				}
			}
			for _, ins := range inserts {
				got := sqldbtest.Strings(t, db, castRead(ins.read))
				want := ms
				if ins.table == "write_probe" {
					want = ms[len(ms)-1:]
				}
				if len(got) != len(want) {
					t.Fatalf("after Down, %s: %q, want %d", ins.table, got, want)
				}
				for i := range got {
					if got[i] != strconv.FormatInt(want[i], 10) {
						t.Errorf("after Down, %s: %q, want %d", ins.table, got, want)
						break
					}
				}
			}
		})
	}
}

// atTheVersionBefore migrates db with each of histories up to the version
// before its migration named *_<name>.sql and returns their providers.
func atTheVersionBefore(t *testing.T, db *sqldb.DB, name string, histories []sqldb.Migrations) ([]*goose.Provider, []int64) {
	t.Helper()
	var out []*goose.Provider
	var versions []int64
	for _, h := range histories {
		dialect, files := goose.DialectSQLite3, h.SQLite
		if db.Dialect() == sqldb.Postgres {
			dialect, files = goose.DialectPostgres, h.Postgres
		}
		p, err := goose.NewProvider(dialect, db.Write, files, goose.WithTableName(h.Table), goose.WithDisableGlobalRegistry(true))
		if err != nil {
			t.Fatal(err)
		}
		matches, _ := fs.Glob(files, "*_"+name+".sql")
		if len(matches) != 1 {
			t.Fatalf("%s: %d migrations named %s, want 1", h.Table, len(matches), name)
		}
		v, err := strconv.ParseInt(strings.SplitN(filepath.Base(matches[0]), "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(context.Background(), v-1); err != nil {
			t.Fatal(err)
		}
		out, versions = append(out, p), append(versions, v-1)
	}
	return out, versions
}

// castRead is query, which selects one column, selecting it as text.
func castRead(query string) string {
	col, rest, _ := strings.Cut(strings.TrimPrefix(query, "SELECT "), " FROM ")
	return "SELECT CAST(" + col + " AS TEXT) FROM " + rest
}

func exec(t *testing.T, db *sqldb.DB, query string) {
	t.Helper()
	if _, err := db.Write.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// checkInstants reads the times query selects and checks that they are in
// sqldb.TimeLayout and the instants of ms, in order.
func checkInstants(t *testing.T, db *sqldb.DB, query string, ms []int64) {
	t.Helper()
	got := sqldbtest.Strings(t, db, query)
	if len(got) != len(ms) {
		t.Fatalf("%s: %q, want %d times", query, got, len(ms))
	}
	for i, s := range got {
		at, err := time.Parse(sqldb.TimeLayout, s)
		if want := time.UnixMilli(ms[i]).UTC(); err != nil || !at.Equal(want) {
			t.Errorf("%s: %q (%v), want %s", query, s, err, want.Format(sqldb.TimeLayout))
		}
	}
}
