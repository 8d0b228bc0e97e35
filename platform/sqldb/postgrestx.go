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

// postgresTx is a Tx's half on PostgreSQL: a connection of its own, on
// which BEGIN and ExecLater's statements wait to be pipelined with the
// next statement, or the COMMIT.
type postgresTx struct {
	// tx is the Tx handed to fn, whose side is this postgresTx: both in
	// one allocation per transaction.
	tx   Tx
	conn *sql.Conn
	// begun once BEGIN was sent; err when what was sent ahead of a query
	// failed, which voids the transaction.
	begun bool
	err   error
	later []queued // ExecLater's statements, not sent yet
}

// inTx is InTx on PostgreSQL: each call its own transaction, run again
// when the server aborted it to resolve a conflict.
func (pg *postgres) inTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if pg.db.isClosed() {
		return ErrClosed
	}
	for attempt := 1; ; attempt++ {
		wake, err := pg.txOnce(ctx, fn)
		if err == nil {
			for _, f := range wake {
				f()
			}
			pg.db.committed(1)
			return nil
		}
		if attempt == 3 || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

// txOnce runs fn in a transaction on a connection of its own, and returns
// the transaction's after-commit functions once it committed.
func (pg *postgres) txOnce(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) ([]func(), error) {
	conn, err := pg.db.Write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer conn.Close() // back to the pool
	t := &postgresTx{conn: conn}
	t.tx = Tx{db: pg.db, side: t}
	defer func() {
		if p := recover(); p != nil {
			t.rollback()
			panic(p)
		}
	}()
	if err := fn(context.WithValue(ctx, inTxKey{pg.db}, true), &t.tx); err != nil {
		t.rollback()
		if t.err != nil {
			// What was sent ahead of a query failed: fn's error comes
			// from that query, refused because of it.
			return nil, t.err
		}
		return nil, err
	}
	if err := t.commit(ctx); err != nil {
		return nil, err
	}
	return t.tx.wake, nil
}

// ExecContext runs a statement in the transaction, pipelined with what
// waits to be sent.
func (t *postgresTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	switch {
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

// execLater holds q back until the transaction's next statement, or its
// COMMIT, unless what was sent ahead of a query already failed.
func (t *postgresTx) execLater(_ context.Context, q queued) error {
	if t.err != nil {
		return t.err
	}
	t.later = append(t.later, q)
	return nil
}

// send pipelines BEGIN (if not sent yet), the statements ExecLater queued,
// and last, in one message, and returns last's outcome. PostgreSQL skips
// the rest of a pipeline after a statement fails; the error is that
// statement's, passed through its wrap.
func (t *postgresTx) send(ctx context.Context, last queued) (pgconn.CommandTag, error) {
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

// QueryContext runs a query in the transaction, once what waits is sent.
func (t *postgresTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.beforeQuery(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row in the
// transaction, once what waits is sent.
func (t *postgresTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
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

// beforeQuery sends, ahead of a query (which cannot join a pipeline here),
// BEGIN and what ExecLater queued, if not sent yet. A failure voids the
// transaction.
func (t *postgresTx) beforeQuery(ctx context.Context) error {
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
func (t *postgresTx) commit(ctx context.Context) error {
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
func (t *postgresTx) rollback() {
	if !t.begun {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = t.conn.ExecContext(ctx, "ROLLBACK")
}
