package sqldb

import "context"

// Dialect names the engine under a DB.
type Dialect string

// The engines a DB can run on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Settled returns a condition on column col, which holds the id of the
// transaction that wrote a row (0 on SQLite): true once no transaction
// older than that one is still running, in any database of the server.
// Rows are read in (xid, seq) order only where this holds, so none can
// commit later behind a position a reader has passed. On SQLite, commits are
// serial and every row settles at once.
func (d Dialect) Settled(col string) string {
	if d == Postgres {
		return col + " < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
	}
	return "TRUE"
}

// After returns a condition that a row's position (xid, seq) comes after
// (xidArg, seqArg), written so that an index on (…, xid, seq) serves it. On
// SQLite, where xid is always 0, that is seq alone: SQLite seeks an index
// only on the first column of a row-value comparison, and would scan every
// row of xid 0.
func (d Dialect) After(xid, seq, xidArg, seqArg string) string {
	if d == Postgres {
		return "(" + xid + ", " + seq + ") > (" + xidArg + ", " + seqArg + ")"
	}
	return xid + " = " + xidArg + " AND " + seq + " > " + seqArg
}

// LockKey makes the transaction q belongs to wait for, then hold until it
// ends, the lock on key: transactions about the same thing (a user, say)
// run one after the other. On PostgreSQL a transaction-level advisory lock,
// taken (in a *Tx) just before the transaction's next statement runs; on
// SQLite nothing, as its write transactions already run one at a time.
func (d Dialect) LockKey(ctx context.Context, q Querier, key string) error {
	if d != Postgres {
		return nil
	}
	// The lock travels with the next statement, which the server runs once
	// it holds the lock: a READ COMMITTED statement reads what committed
	// before it starts, so it sees what the lock's last holder wrote.
	return ExecLater(ctx, q, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key)
}
