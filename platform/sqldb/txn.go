package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Tx is the transaction InTx runs a function in. Stores use it through
// Querier, as they would a *sql.Tx.
//
// On PostgreSQL, BEGIN and the statements queued with ExecLater make no
// round trip of their own: they are pipelined (one message, one answer)
// with the transaction's next ExecContext, or its COMMIT. Queries cannot
// join a pipeline here: what is pending is sent before them.
type Tx struct {
	db   *DB
	tx   *sql.Tx   // SQLite: the group's transaction, inside fn's savepoint
	conn *sql.Conn // PostgreSQL
	// PostgreSQL: begun once BEGIN was sent; err when what was sent ahead
	// of a query failed, which voids the transaction.
	begun bool
	err   error
	later []queued // PostgreSQL: ExecLater's statements, not sent yet
	wake  []func() // run once the transaction commits
}

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
	switch {
	case t.tx != nil:
		return t.tx.ExecContext(ctx, query, args...)
	case t.err != nil:
		return nil, t.err
	case t.begun && len(t.later) == 0:
		return t.conn.ExecContext(ctx, query, args...)
	}
	tag, err := t.send(ctx, queued{query: query, args: args})
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
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
	if t.tx != nil {
		_, err := t.tx.ExecContext(ctx, query, args...)
		return wrapErr(wrap, err)
	}
	if t.err != nil {
		return t.err
	}
	t.later = append(t.later, queued{query, args, wrap})
	return nil
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

// send pipelines BEGIN (if not sent yet), the statements ExecLater queued,
// and last, in one message, and returns last's outcome. PostgreSQL skips
// the rest of a pipeline after a statement fails; the error is that
// statement's, passed through its wrap.
func (t *Tx) send(ctx context.Context, last queued) (pgconn.CommandTag, error) {
	sent := append(t.later, last)
	t.later = nil
	if !t.begun {
		sent = append([]queued{{query: "BEGIN"}}, sent...)
		t.begun = true
	}
	b := &pgx.Batch{}
	for _, q := range sent {
		b.Queue(q.query, q.args...)
	}
	var tag pgconn.CommandTag
	err := t.conn.Raw(func(dc any) error {
		br := dc.(*stdlib.Conn).Conn().SendBatch(ctx, b)
		var err error
		for _, q := range sent {
			if tag, err = br.Exec(); err != nil {
				return wrapErr(q.wrap, errors.Join(err, br.Close()))
			}
		}
		return br.Close()
	})
	return tag, err
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.tx != nil {
		return t.tx.QueryContext(ctx, query, args...)
	}
	if err := t.beforeQuery(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row in the
// transaction.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if t.tx != nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	if err := t.beforeQuery(ctx); err != nil {
		// A *sql.Row gets its error only from a query. One on a done
		// context fails before anything reaches the server, so a write
		// (INSERT … RETURNING) cannot run outside the transaction; InTx
		// returns t.err whatever fn makes of this one.
		done, cancel := context.WithCancel(ctx)
		cancel()
		return t.conn.QueryRowContext(done, query, args...)
	}
	return t.conn.QueryRowContext(ctx, query, args...)
}

// Notify wakes, once the transaction commits, the functions of this
// process that Listen on channel; it does nothing if the transaction rolls
// back. Other processes learn of the commit from PostgreSQL (NOTIFY) or
// their poll.
func (t *Tx) Notify(channel string) {
	t.AfterCommit(func() { t.db.wakeLocal(channel) })
}

// AfterCommit runs f once the transaction commits, before InTx returns; it
// never runs if the transaction rolls back, nor for an attempt PostgreSQL
// aborted and InTx ran again. f must not block.
func (t *Tx) AfterCommit(f func()) {
	t.wake = append(t.wake, f)
}

// Schema is the PostgreSQL schema of the transaction's database ("" on
// SQLite).
func (t *Tx) Schema() string { return t.db.schema }

// Dialect is the engine under the transaction's database.
func (t *Tx) Dialect() Dialect { return t.db.dialect }

// beforeQuery sends, ahead of a query (which cannot join a pipeline here),
// BEGIN and what ExecLater queued, if not sent yet. A failure voids the
// transaction.
func (t *Tx) beforeQuery(ctx context.Context) error {
	if t.err != nil || (t.begun && len(t.later) == 0) {
		return t.err
	}
	var err error
	if len(t.later) == 0 {
		t.begun = true
		_, err = t.conn.ExecContext(ctx, "BEGIN")
	} else {
		last := t.later[len(t.later)-1]
		t.later = t.later[:len(t.later)-1]
		_, err = t.send(ctx, last)
	}
	if err != nil {
		t.err = err
	}
	return t.err
}

// errCommitRolledBack is a COMMIT that PostgreSQL answered with ROLLBACK: a
// statement failed before, and fn went on.
var errCommitRolledBack = errors.New("commit: the transaction was rolled back after a failed statement")

// commit ends a PostgreSQL transaction that fn left without error.
func (t *Tx) commit(ctx context.Context) error {
	switch {
	case t.err != nil:
		t.rollback()
		return t.err
	case !t.begun && len(t.later) == 0:
		return nil // fn ran nothing
	case ctx.Err() != nil:
		t.rollback()
		return ctx.Err()
	}
	tag, err := t.send(ctx, queued{query: "COMMIT"})
	switch {
	case err != nil:
		// A queued statement failed and the server skipped COMMIT, or
		// COMMIT failed: either way nothing is committed.
		t.rollback()
		return fmt.Errorf("commit: %w", err)
	case tag.String() == "ROLLBACK":
		return errCommitRolledBack
	}
	return nil
}

// rollback ends a PostgreSQL transaction that failed. A connection that
// cannot roll back stays inside its transaction, and the pool discards it
// before handing it out again (pgx's ResetSession).
func (t *Tx) rollback() {
	if !t.begun {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = t.conn.ExecContext(ctx, "ROLLBACK")
}
