package sqldb

import "context"

// Dialect names the engine under a DB. Its methods give the SQL that the
// engines write differently; each engine's is in its dialect file
// (sqlitedialect.go, postgresdialect.go).
type Dialect string

// The engines a DB can run on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// dialectSQL is the SQL one engine writes its own way.
type dialectSQL interface {
	settled(col string) string
	after(xid, seq, xidArg, seqArg string) string
	lockKey(ctx context.Context, q Querier, key string) error
	containsBytes(col, arg string) string
}

// engineSQL is d's SQL; SQLite's for a Dialect that names no engine (see Known).
func (d Dialect) engineSQL() dialectSQL {
	if d == Postgres {
		return postgresDialect{}
	}
	return sqliteDialect{}
}

// Known reports whether d names an engine a DB can run on.
func (d Dialect) Known() bool { return d == SQLite || d == Postgres }

// Settled returns a condition on column col, which holds the id of the
// transaction that wrote a row (0 on SQLite): true once no transaction
// older than that one is still running, in any database of the server.
// Rows are read in (xid, seq) order only where this holds, so none can
// commit later behind a position a reader has passed. On SQLite, commits are
// serial and every row settles at once.
func (d Dialect) Settled(col string) string { return d.engineSQL().settled(col) }

// After returns a condition that a row's position (xid, seq) comes after
// (xidArg, seqArg), written so that an index on (…, xid, seq) serves it
// (on SQLite, where xid is always 0, a condition on seq).
func (d Dialect) After(xid, seq, xidArg, seqArg string) string {
	return d.engineSQL().after(xid, seq, xidArg, seqArg)
}

// LockKey makes the transaction q belongs to wait for, then hold until it
// ends, the lock on key: transactions about the same thing (a user, say)
// run one after the other. On PostgreSQL a transaction-level advisory lock,
// taken (in a *Tx) just before the transaction's next statement runs; on
// SQLite nothing, as its write transactions already run one at a time.
func (d Dialect) LockKey(ctx context.Context, q Querier, key string) error {
	return d.engineSQL().lockKey(ctx, q, key)
}

// ContainsBytes returns a condition that the bytes of column col (a BLOB,
// a bytea) hold those of the []byte argument arg: byte for byte, with no
// collation, no case folding, no LIKE wildcards to escape.
func (d Dialect) ContainsBytes(col, arg string) string { return d.engineSQL().containsBytes(col, arg) }
