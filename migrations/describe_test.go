package migrations_test

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"example.com/modmono/platform/sqldb"
)

// facts describes a migrated schema as "<table>.<thing>" → what it is, in
// the same words on both engines, so that two descriptions compare key by
// key: "orders.column status" → "text not null", "orders.primary key" →
// "(seq)", "orders.index orders_user_seq" → "(user_id, seq)",
// "orders.unique (id)" → "yes", "orders.check status in('placed','cancelled')"
// → "yes", "orders.trigger orders_refuse_deleted_user" → "yes".
type facts map[string]string

// Column types, mapped between the engines: each engine's declared type →
// the one name both describe it by. A type missing here is described as
// the engine wrote it ("sqlite INT", "postgres integer"), which matches
// nothing on the other engine: a new type needs its line here first.
var (
	sqliteTypes = map[string]string{
		"INTEGER": "int64", // SQLite's integers are 64-bit
		"TEXT":    "text",
		"BLOB":    "bytes",
	}
	postgresTypes = map[string]string{
		"bigint": "int64", // not integer: that is 32-bit, narrower than SQLite's
		"text":   "text",
		"bytea":  "bytes",
	}
)

func mapType(types map[string]string, engine, declared string) string {
	if t, ok := types[declared]; ok {
		return t
	}
	return engine + " " + declared
}

// describeColumn says what a column is: type, nullability, a default and
// whether the engine numbers it (SQLite AUTOINCREMENT, PostgreSQL identity).
func describeColumn(typ string, notNull bool, dflt sql.NullString, auto bool) string {
	s := typ
	if notNull {
		s += " not null"
	}
	if dflt.Valid {
		s += " default " + normalize(dflt.String)
	}
	if auto {
		s += " generated"
	}
	return s
}

var (
	casts    = regexp.MustCompile(`::[a-z ]+`)
	anyArray = regexp.MustCompile(`=\s*ANY\s*\(ARRAY\[([^\]]*)\]\)`)
	spaces   = regexp.MustCompile(`[\s()]+`)
)

// normalize writes an expression (a default, a check, an index's WHERE) the
// same way whichever engine printed it: PostgreSQL adds casts
// ('x'::text), brackets and rewrites IN (…) as = ANY (ARRAY[…]).
func normalize(expr string) string {
	expr = casts.ReplaceAllString(expr, "")
	expr = anyArray.ReplaceAllString(expr, "IN ($1)")
	return strings.ToLower(spaces.ReplaceAllString(expr, ""))
}

func columnList(cols []string) string { return "(" + strings.Join(cols, ", ") + ")" }

// query runs q on db's reader and calls row with each row's scanned values.
func query(t *testing.T, db *sqldb.DB, q string, dest []any, row func(), args ...any) {
	t.Helper()
	rows, err := db.Read.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		row()
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// describe returns the facts of db's tables, but those of skip (the
// migration libraries' own bookkeeping).
func describe(t *testing.T, db *sqldb.DB, skip []string) facts {
	t.Helper()
	f := facts{}
	if db.Dialect() == sqldb.Postgres {
		describePostgres(t, db, f)
	} else {
		describeSQLite(t, db, f)
	}
	for k := range f {
		table, _, _ := strings.Cut(k, ".")
		if slices.Contains(skip, table) {
			delete(f, k)
		}
	}
	return f
}

// sortedKeys returns the union of both descriptions' keys, in order.
func sortedKeys(a, b facts) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// drift lists, one line each, where lite and pg differ, but for the
// differences allowed.
func drift(lite, pg facts, allowed map[string]allowance) []string {
	var out []string
	for _, k := range sortedKeys(lite, pg) {
		l, inLite := lite[k]
		p, inPg := pg[k]
		if a, ok := allowed[k]; ok && l == a.sqlite && p == a.postgres || inLite == inPg && l == p {
			continue
		}
		switch {
		case !inPg:
			out = append(out, fmt.Sprintf("%s: only on SQLite (%s)", k, l))
		case !inLite:
			out = append(out, fmt.Sprintf("%s: only on PostgreSQL (%s)", k, p))
		default:
			out = append(out, fmt.Sprintf("%s: SQLite %q, PostgreSQL %q", k, l, p))
		}
	}
	return out
}
