package sqldb

import (
	"context"
	"database/sql"
)

// Tx is the transaction InTx runs a function in. Stores use it through
// Querier, as they would a *sql.Tx.
type Tx struct {
	db   *DB
	tx   *sql.Tx
	wake []func() // run once the transaction commits
}

var _ Querier = (*Tx)(nil)

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row in the
// transaction.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Notify wakes, once the transaction commits, the functions of this
// process that Listen on channel; it does nothing if the transaction rolls
// back. Other processes learn of the commit from PostgreSQL (NOTIFY) or
// their poll.
func (t *Tx) Notify(channel string) {
	t.wake = append(t.wake, func() { t.db.wakeLocal(channel) })
}

// Schema is the PostgreSQL schema of the transaction's database ("" on
// SQLite).
func (t *Tx) Schema() string { return t.db.schema }
