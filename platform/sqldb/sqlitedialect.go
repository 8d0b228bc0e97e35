package sqldb

import "context"

// sqliteDialect is the SQL of Dialect's methods on SQLite.
type sqliteDialect struct{}

// settled: commits are serial, and every row settles at once.
func (sqliteDialect) settled(string) string { return "TRUE" }

// after: xid is always 0, so seq alone. SQLite seeks an index only on the
// first column of a row-value comparison, and would scan every row of xid 0.
func (sqliteDialect) after(xid, seq, xidArg, seqArg string) string {
	return xid + " = " + xidArg + " AND " + seq + " > " + seqArg
}

// lockKey takes nothing: write transactions already run one at a time.
func (sqliteDialect) lockKey(context.Context, Querier, string) error { return nil }

func (sqliteDialect) containsBytes(col, arg string) string {
	return "instr(" + col + ", " + arg + ") > 0"
}
