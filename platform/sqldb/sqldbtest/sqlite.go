package sqldbtest

import (
	"strings"
	"testing"

	"example.com/modmono/platform/sqldb"
)

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
