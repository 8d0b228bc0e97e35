package migrations_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"example.com/modmono/migrations"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// allowance is a difference between the engines' schemas that is meant:
// exactly these descriptions, for this reason.
type allowance struct{ sqlite, postgres, why string }

// allowed are the allowances, by "<table>.<thing>" as facts names it.
var allowed = map[string]allowance{
	"pubsub_messages.column xid": {
		"int64 not null default 0", "int64 not null default pg_current_xact_id",
		"PostgreSQL stamps each row with its transaction's id, as rows commit out of seq order there; " +
			"SQLite commits one transaction at a time, and xid is always 0"},
	"notifications.column xid": {
		"int64 not null default 0", "int64 not null default pg_current_xact_id",
		"as pubsub_messages.xid: the sender follows notifications in (xid, seq) order"},
	"pubsub_messages.trigger pubsub_messages_notify": {
		"", "yes",
		"PostgreSQL's NOTIFY wakes subscribers in other processes; SQLite is one process's, " +
			"whose commits wake its subscribers directly"},
}

// Both engines, migrated to head, hold the same tables, columns, keys,
// indexes and constraints in every module's database: the module's own and
// the platform's, which the host migrates into each (wiring/host.go).
func TestBothEnginesMigrateToTheSameSchema(t *testing.T) {
	url := sqldbtest.PostgresURL(t)
	used := map[string]bool{}
	for _, module := range modules(t) {
		t.Run(module, func(t *testing.T) {
			histories := append(messaging.Schema(), sqldb.Schema(), migrations.Of(module))
			lite, pg := migrateBoth(t, url, module, histories)
			for _, d := range drift(lite, pg, allowed) {
				t.Error(d)
			}
			for k, a := range allowed {
				used[k] = used[k] || lite[k] == a.sqlite && pg[k] == a.postgres
			}
		})
	}
	for k := range allowed {
		if !used[k] {
			t.Errorf("allowed difference %s is in no schema as allowed: drop or correct it", k)
		}
	}
}

// modules are the folders of this package: one per module.
func modules(t *testing.T) []string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "testdata" {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no module folders")
	}
	return out
}

// migrateBoth applies histories to a fresh SQLite file and a fresh schema
// named schema of the PostgreSQL database at url, and describes both.
func migrateBoth(t *testing.T, url, schema string, histories []sqldb.Migrations) (lite, pg facts) {
	t.Helper()
	ctx := context.Background()
	var skip []string
	for _, h := range histories {
		skip = append(skip, h.Table)
	}
	liteDB, err := sqldb.OpenSQLite(filepath.Join(t.TempDir(), schema+".db"), sqldb.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { liteDB.Close() })
	pgDB, err := sqldb.OpenPostgres(ctx, url, schema, sqldb.PostgresOptions{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgDB.Close() })
	for _, db := range []*sqldb.DB{liteDB, pgDB} {
		for _, h := range histories {
			if err := db.Migrate(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
	}
	return describe(t, liteDB, skip), describe(t, pgDB, skip)
}

// history is a migration history of one file per engine.
func history(table, lite, pg string) sqldb.Migrations {
	file := func(up string) fstest.MapFS {
		return fstest.MapFS{"0001_t.sql": {Data: []byte("-- +goose Up\n" + up + "\n")}}
	}
	return sqldb.Migrations{SQLite: file(lite), Postgres: file(pg), Table: table}
}

// The comparison finds each kind of drift, and says where: a history that
// drifted fails the test above with these lines.
func TestSchemaDriftIsFound(t *testing.T) {
	url := sqldbtest.PostgresURL(t)
	same := `CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0, body BYTEA, CHECK (n >= 0));
CREATE INDEX t_n ON t (n) WHERE n > 0;`
	tests := []struct {
		name     string
		lite, pg string
		want     []string // nil: no drift
	}{
		{"the same schema, each in its engine's words",
			`CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, body BLOB, CHECK (n >= 0)) WITHOUT ROWID;
CREATE INDEX t_n ON t (n) WHERE n > 0;`, same, nil},
		{"a column on one side only",
			`CREATE TABLE t (id TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, body BLOB, extra TEXT, CHECK (n >= 0));
CREATE INDEX t_n ON t (n) WHERE n > 0;`, same,
			[]string{`t.column extra: only on SQLite (text)`}},
		{"a type, a nullability and a default that differ",
			`CREATE TABLE t (id TEXT NOT NULL PRIMARY KEY, n TEXT DEFAULT 1, body BLOB, CHECK (n >= 0));
CREATE INDEX t_n ON t (n) WHERE n > 0;`, same,
			[]string{`t.column n: SQLite "text default 1", PostgreSQL "int64 not null default 0"`}},
		{"a type the mapping does not know",
			`CREATE TABLE t (id TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, body BLOB, CHECK (n >= 0));
CREATE INDEX t_n ON t (n) WHERE n > 0;`,
			strings.Replace(same, "n BIGINT", "n INTEGER", 1),
			[]string{`t.column n: SQLite "int64 not null default 0", PostgreSQL "postgres integer not null default 0"`}},
		{"an index, a key, a unique and a check that differ",
			`CREATE TABLE t (id TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0, body BLOB UNIQUE, PRIMARY KEY (id, n));
CREATE UNIQUE INDEX t_n ON t (n);`, same,
			[]string{
				`t.check n>=0: only on PostgreSQL (yes)`,
				`t.index t_n: SQLite "unique (n)", PostgreSQL "(n) where n>0"`,
				`t.primary key: SQLite "(id, n)", PostgreSQL "(id)"`,
				`t.unique (body): only on SQLite (yes)`,
			}},
		{"a foreign key and a trigger on one side only",
			`CREATE TABLE u (id TEXT NOT NULL PRIMARY KEY);
CREATE TABLE t (id TEXT NOT NULL PRIMARY KEY REFERENCES u (id), n INTEGER NOT NULL DEFAULT 0, body BLOB, CHECK (n >= 0));
CREATE INDEX t_n ON t (n) WHERE n > 0;
CREATE TRIGGER t_touch AFTER INSERT ON t BEGIN SELECT 1; END;`,
			`CREATE TABLE u (id TEXT PRIMARY KEY);` + same,
			[]string{
				`t.foreign key (id): only on SQLite (references u (id))`,
				`t.trigger t_touch: only on SQLite (yes)`,
			}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := history("t_version", tc.lite, tc.pg)
			lite, pg := migrateBoth(t, url, "drift"+string(rune('a'+i)), []sqldb.Migrations{h})
			got := drift(lite, pg, nil)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("drift:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
