package sqldb

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// maxGroup caps how many InTx calls share one transaction: enough to spread
// a commit's cost, few enough that no caller waits long behind the others.
const maxGroup = 32

// sqliteTx is a Tx's half on SQLite: the group's transaction, inside fn's
// savepoint. Every statement runs at once.
type sqliteTx struct{ *sql.Tx }

func (lt sqliteTx) execLater(ctx context.Context, q queued) error {
	_, err := lt.ExecContext(ctx, q.query, q.args...)
	return wrapErr(q.wrap, err)
}

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

// inTx queues fn for the writer goroutine and waits for its outcome.
func (lite *sqlite) inTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
	if err := lite.enqueue(req); err != nil {
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
func (lite *sqlite) fnContext(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), inTxKey{lite.db}, true)
}

// enqueue hands req to the writer unless the DB is closed. Close waits for
// enqueue calls in progress, so nothing is queued after the writer stops.
func (lite *sqlite) enqueue(req *txRequest) error {
	db := lite.db
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	select {
	case lite.queue <- req:
		return nil
	case <-req.ctx.Done():
		return req.ctx.Err()
	}
}
