package sqldb

import "context"

// postgresDialect is the SQL of Dialect's methods on PostgreSQL.
type postgresDialect struct{}

// settled: the row's transaction is older than every one still running.
func (postgresDialect) settled(col string) string {
	return col + " < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
}

func (postgresDialect) after(xid, seq, xidArg, seqArg string) string {
	return "(" + xid + ", " + seq + ") > (" + xidArg + ", " + seqArg + ")"
}

// lockKey takes a transaction-level advisory lock. The lock travels with
// the next statement, which the server runs once it holds the lock: a READ
// COMMITTED statement reads what committed before it starts, so it sees
// what the lock's last holder wrote.
func (postgresDialect) lockKey(ctx context.Context, q Querier, key string) error {
	return ExecLater(ctx, q, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key)
}

func (postgresDialect) containsBytes(col, arg string) string {
	return "position(" + arg + "::bytea IN " + col + ") > 0"
}
