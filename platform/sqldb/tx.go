package sqldb

import (
	"context"
	"database/sql"
	"errors"
)

// ErrClosed is returned by InTx on a closed DB.
var ErrClosed = errors.New("sqldb: database closed")

// ErrNestedTx is returned by an InTx called from inside another InTx's fn on
// the same DB: a programming error, which on SQLite would wait forever for
// the writer that runs the outer fn.
var ErrNestedTx = errors.New("sqldb: InTx called inside InTx on the same database; use the tx you were given")

// inTxKey marks the ctx InTx hands fn, per DB, so that a nested call on
// the same DB is refused and one on another module's DB is not.
type inTxKey struct{ db *DB }

// InTx runs fn in a write transaction and commits it when fn returns nil; an
// error or a panic in fn undoes everything fn wrote. InTx returns once the
// outcome is durable: after the commit that holds fn's writes, or with the
// error that rolled them back.
//
// On PostgreSQL each call is its own READ COMMITTED transaction, run again
// (up to three times) when the server aborts it as a deadlock or
// serialization victim, so fn must not have effects outside tx.
//
// On SQLite, concurrent calls are committed together (group commit): one writer
// goroutine runs each fn inside its own SAVEPOINT of a shared transaction and
// commits once for the group, which is what lets SQLite's single writer keep
// up with many concurrent requests. fn must use the ctx it is given, which
// is never cancelled: cancelling a statement inside the shared transaction
// would make SQLite roll back the whole group. ctx still bounds the call:
// when it ends while the call waits for the writer, InTx returns ctx.Err()
// at once and fn never runs; when it ends while fn runs, InTx waits for fn
// (which may use the caller's variables) and its writes are rolled back, as
// PostgreSQL aborts a transaction whose context ended.
//
// fn must not call InTx on the same DB: it gets ErrNestedTx. Whatever fn
// writes to this DB goes through the tx it was given; a second transaction
// would wait for this one on SQLite, and commit apart from it on
// PostgreSQL.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if ctx.Value(inTxKey{db}) != nil {
		return ErrNestedTx
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.engine.inTx(ctx, fn)
}

// Tx is the transaction InTx runs a function in. Stores use it through
// Querier, as they would a *sql.Tx.
//
// On PostgreSQL, BEGIN and the statements queued with ExecLater make no
// round trip of their own: they are pipelined (one message, one answer)
// with the transaction's next ExecContext, or its COMMIT. Queries cannot
// join a pipeline here: what is pending is sent before them.
type Tx struct {
	db   *DB
	side engineTx // the engine's half: sqliteTx (sqlitetx.go) or *postgresTx (postgrestx.go)
	wake []func() // run once the transaction commits
}

// engineTx is what a Tx does differently on each engine: how its
// statements reach the database.
type engineTx interface {
	Querier
	// execLater is Tx.ExecLaterAs.
	execLater(ctx context.Context, q queued) error
}

// queued is a statement that ExecLater holds back.
type queued struct {
	query string
	args  []any
	// wrap, if set, is applied to the error the statement meets,
	// whichever later call reports it.
	wrap func(error) error
}

var _ Querier = (*Tx)(nil)

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.side.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.side.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row in the
// transaction.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.side.QueryRowContext(ctx, query, args...)
}

// ExecLater runs a statement whose outcome the caller does not need until
// the transaction ends (an outbox insert, say): on PostgreSQL it travels
// with the transaction's next statement or its COMMIT, and an error it
// meets fails that statement, or the commit. On SQLite it runs at once.
func (t *Tx) ExecLater(ctx context.Context, query string, args ...any) error {
	return t.ExecLaterAs(ctx, nil, query, args...)
}

// ExecLaterAs is ExecLater for a statement whose failure means something to
// the caller: wrap (if not nil) turns the error the statement meets into
// the caller's, whichever later call reports it (the statement that
// follows, or InTx from the commit).
func (t *Tx) ExecLaterAs(ctx context.Context, wrap func(error) error, query string, args ...any) error {
	return t.side.execLater(ctx, queued{query, args, wrap})
}

// ExecLater is Tx.ExecLater when q is a *Tx, and q.ExecContext otherwise.
func ExecLater(ctx context.Context, q Execer, query string, args ...any) error {
	return ExecLaterAs(ctx, q, nil, query, args...)
}

// ExecLaterAs is Tx.ExecLaterAs when q is a *Tx, and q.ExecContext
// otherwise, its error passed through wrap.
func ExecLaterAs(ctx context.Context, q Execer, wrap func(error) error, query string, args ...any) error {
	if t, ok := q.(*Tx); ok {
		return t.ExecLaterAs(ctx, wrap, query, args...)
	}
	_, err := q.ExecContext(ctx, query, args...)
	return wrapErr(wrap, err)
}

func wrapErr(wrap func(error) error, err error) error {
	if err == nil || wrap == nil {
		return err
	}
	return wrap(err)
}

// Notify wakes, once the transaction commits, the functions of this
// process that Listen on channel; it does nothing if the transaction rolls
// back. Other processes learn of the commit from PostgreSQL (NOTIFY) or
// their poll.
func (t *Tx) Notify(channel string) { t.db.engine.notify(t, channel) }

// AfterCommit runs f once the transaction commits, before InTx returns; it
// never runs if the transaction rolls back, nor for an attempt PostgreSQL
// aborted and InTx ran again. f must not block.
func (t *Tx) AfterCommit(f func()) {
	t.wake = append(t.wake, f)
}

// Schema is the PostgreSQL schema of the transaction's database ("" on
// SQLite).
func (t *Tx) Schema() string { return t.db.Schema() }

// Dialect is the engine under the transaction's database.
func (t *Tx) Dialect() Dialect { return t.db.dialect }
