package sqldb

import (
	"context"
	"errors"
	"sync/atomic"
)

// maxGroup caps how many InTx calls share one transaction: enough to spread
// a commit's cost, few enough that no caller waits long behind the others.
const maxGroup = 32

// ErrClosed is returned by InTx on a closed DB.
var ErrClosed = errors.New("sqldb: database closed")

// ErrNestedTx is returned by an InTx called from inside another InTx's fn on
// the same DB: a programming error, which on SQLite would wait forever for
// the writer that runs the outer fn.
var ErrNestedTx = errors.New("sqldb: InTx called inside InTx on the same database; use the tx you were given")

// inTxKey marks the ctx InTx hands fn, per DB, so that a nested call on
// the same DB is refused and one on another module's DB is not.
type inTxKey struct{ db *DB }

// A request's state: the writer claims a queued request before it runs fn,
// and its caller abandons it when its ctx ends first; whichever swaps the
// state first wins, so fn never runs after its caller returned.
const (
	stateQueued int32 = iota
	stateRunning
	stateAbandoned
)

type txRequest struct {
	ctx   context.Context
	fn    func(ctx context.Context, tx *Tx) error
	done  chan txResult
	state atomic.Int32
}

type txResult struct {
	err      error
	panicked any
	wake     []func() // the Tx's AfterCommit functions, run after the commit
}

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
	if db.dialect == Postgres {
		return db.pgInTx(ctx, fn)
	}
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
	if err := db.enqueue(req); err != nil {
		return err
	}
	res := req.await()
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.err
}

// await waits for the writer's answer, or for the caller's ctx to end
// before the writer started the request: then the request is abandoned,
// and the writer skips it.
func (req *txRequest) await() txResult {
	select {
	case res := <-req.done:
		return res
	case <-req.ctx.Done():
		if req.state.CompareAndSwap(stateQueued, stateAbandoned) {
			return txResult{err: req.ctx.Err()}
		}
		return <-req.done // fn runs: only the writer knows how it ends
	}
}

// start claims req for the writer, unless its ctx ended while it was
// queued (its caller has returned, or is about to).
func (req *txRequest) start() error {
	if err := req.ctx.Err(); err != nil {
		return err
	}
	if !req.state.CompareAndSwap(stateQueued, stateRunning) {
		return req.ctx.Err() // abandoned: the caller saw its ctx end
	}
	return nil
}

// fnContext is the ctx InTx hands fn: the caller's values, never
// cancelled, and marked as inside a transaction on db.
func (db *DB) fnContext(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), inTxKey{db}, true)
}

// enqueue hands req to the writer unless the DB is closed. Close waits for
// enqueue calls in progress, so nothing is queued after the writer stops.
func (db *DB) enqueue(req *txRequest) error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	select {
	case db.queue <- req:
		return nil
	case <-req.ctx.Done():
		return req.ctx.Err()
	}
}
