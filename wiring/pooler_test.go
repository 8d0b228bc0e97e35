package wiring_test

import (
	"testing"

	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/wiring"
)

// pooledDatabases gives each module a database of its own reached through
// PgBouncer in transaction mode (TEST_PGBOUNCER_URL, `make pgbouncer`), as
// functions reach PostgreSQL through RDS Proxy; see sqldbtest.PooledURL.
func pooledDatabases(t *testing.T) []string {
	var env []string
	for _, m := range wiring.Modules {
		env = append(env, wiring.DatabaseVariable(m), sqldbtest.PooledURL(t, m))
	}
	return env
}

// Through a transaction-pooling proxy, where consecutive transactions of
// one connection run on different server connections: the whole story on
// the server (migrations, outbox, relays' and sender's leases, inbox,
// per-user advisory locks), and the API through the Lambda functions with
// the pool functions get (DB_MAX_CONNS=2). No LISTEN reaches across the
// pooler, so the relays poll.
func TestTheStoryRunsThroughATransactionPoolingProxy(t *testing.T) {
	t.Run("the server", func(t *testing.T) {
		crossModuleStory(t, startServer(t, append(pooledDatabases(t), "RELAY_POLL_INTERVAL", "50ms")...))
	})
	t.Run("the functions", func(t *testing.T) {
		apiScenario(t, startFunctions(t, append(pooledDatabases(t), "DB_MAX_CONNS", "2")...))
	})
}
