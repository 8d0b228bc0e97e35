package store

import (
	"strings"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// The Idempotency-Key sweep finds old keys through
// idempotency_keys_created_at instead of reading the whole table under the
// write lock.
func TestTheIdempotencyKeySweepSearchesTheCreatedAtIndex(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite, "orders", migrations.Of("orders"))
	plan := sqldbtest.QueryPlan(t, db, sweepIdempotencyKeysSQL, sqldb.Time(time.Now()))
	if !strings.Contains(plan, "INDEX idempotency_keys_created_at") || strings.Contains(plan, "SCAN idempotency_keys") {
		t.Errorf("the sweep's plan:\n%s\nwant a search through idempotency_keys_created_at", plan)
	}
}
