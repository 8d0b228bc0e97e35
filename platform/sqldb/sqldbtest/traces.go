package sqldbtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"

	"example.com/modmono/platform/sqldb"
)

// Traces returns where db holds any of secrets: "table.column: secret" for
// each value of every table (found in the catalog, not listed by hand) that
// holds one, as it is or base64-encoded (as an enveloped event's payload
// holds it). Tests of erasure expect none.
func Traces(t testing.TB, db *sqldb.DB, secrets ...string) []string {
	t.Helper()
	var found []string
	for _, table := range tables(t, db) {
		rows, err := db.Read.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			values := make([]any, len(cols))
			dest := make([]any, len(cols))
			for i := range values {
				dest[i] = &values[i]
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			for i, v := range values {
				for _, s := range Holding(valueBytes(v), secrets...) {
					found = append(found, fmt.Sprintf("%s.%s: %s", table, cols[i], s))
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
	}
	return found
}

// tables lists db's tables: SQLite's catalog, or the PostgreSQL schema's.
func tables(t testing.TB, db *sqldb.DB) []string {
	t.Helper()
	if db.Dialect() == sqldb.Postgres {
		return Strings(t, db, `SELECT table_name FROM information_schema.tables
WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`, db.Schema())
	}
	return Strings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
}

func valueBytes(v any) []byte {
	switch v := v.(type) {
	case nil:
		return nil
	case []byte:
		return v
	case string:
		return []byte(v)
	default:
		return []byte(fmt.Sprint(v))
	}
}

// Holding returns the secrets that raw holds, as they are or
// base64-encoded at any alignment.
func Holding(raw []byte, secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		for _, form := range forms(s) {
			if bytes.Contains(raw, []byte(form)) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// forms are s and the parts of its standard base64 encoding that do not
// depend on the bytes around it, at each of the three alignments it can
// start at.
func forms(s string) []string {
	out := []string{s}
	for pad := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, pad), s...))
		from, to := (pad*8+5)/6, (pad+len(s))*8/6
		if to-from >= 8 { // shorter would match by chance
			out = append(out, enc[from:to])
		}
	}
	return out
}
