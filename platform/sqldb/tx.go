package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

func (db *DB) writeLoop() {
	defer db.writerWG.Done()
	for {
		var first *txRequest
		select {
		case first = <-db.queue:
		case <-db.closing:
			db.finishQueued()
			return
		}
		group := []*txRequest{first}
	collect:
		for len(group) < maxGroup {
			select {
			case req := <-db.queue:
				group = append(group, req)
			default:
				break collect
			}
		}
		db.commitGroup(group)
	}
}

// finishQueued commits what was queued before Close.
func (db *DB) finishQueued() {
	for {
		select {
		case req := <-db.queue:
			db.commitGroup([]*txRequest{req})
		default:
			return
		}
	}
}

func (db *DB) commitGroup(group []*txRequest) {
	results := make([]txResult, len(group))
	tx, err := db.Write.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("begin: %w", err)
		}
		db.deliver(group, results)
		return
	}
	committed := false
	if len(group) == 1 {
		results[0] = db.runAlone(tx, group[0])
		committed = results[0].err == nil && results[0].panicked == nil
	} else {
		committed = db.runInSavepoints(tx, group, results)
	}
	if !committed {
		if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			for i := range results {
				if results[i].err == nil && results[i].panicked == nil {
					results[i].err = fmt.Errorf("rollback: %w", err)
				}
			}
		}
		db.deliver(group, results)
		return
	}
	if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i].err == nil && results[i].panicked == nil {
				results[i].err = fmt.Errorf("commit: %w", err)
			}
		}
		db.deliver(group, results)
		return
	}
	for _, res := range results {
		if res.err == nil && res.panicked == nil {
			for _, f := range res.wake {
				f()
			}
		}
	}
	db.deliver(group, results)
	db.committed(len(group))
}

// committed runs the commit hooks for a commit that carried size InTx calls.
func (db *DB) committed(size int) {
	db.mu.Lock()
	hooks, sizeHooks := db.onCommit, db.onGroupCommit
	db.mu.Unlock()
	for _, f := range hooks {
		f()
	}
	for _, f := range sizeHooks {
		f(size)
	}
}

// runAlone runs the only request of a group with no savepoint.
func (db *DB) runAlone(tx *sql.Tx, req *txRequest) txResult {
	if err := req.start(); err != nil {
		return txResult{err: err}
	}
	return db.call(tx, req)
}

// runInSavepoints runs each request in its own savepoint and reports whether
// any of them left changes to commit. A failure of the savepoint machinery
// itself fails the whole group.
func (db *DB) runInSavepoints(tx *sql.Tx, group []*txRequest, results []txResult) bool {
	ctx := context.Background()
	changed := false
	for i, req := range group {
		if err := req.start(); err != nil {
			results[i].err = err // gave up while queued: never started
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT grp"); err != nil {
			return failAll(results, fmt.Errorf("savepoint: %w", err))
		}
		results[i] = db.call(tx, req)
		if results[i].err != nil || results[i].panicked != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO grp"); err != nil {
				return failAll(results, fmt.Errorf("rollback to savepoint: %w", err))
			}
		} else {
			changed = true
		}
		if _, err := tx.ExecContext(ctx, "RELEASE grp"); err != nil {
			return failAll(results, fmt.Errorf("release savepoint: %w", err))
		}
	}
	return changed
}

func failAll(results []txResult, err error) bool {
	for i := range results {
		if results[i].panicked == nil {
			results[i].err = errors.Join(results[i].err, err)
		}
	}
	return false
}

// call runs req.fn, turning a panic into a result for the caller's
// goroutine. A fn that returns after its caller's ctx ended fails with the
// ctx's error, which rolls its writes back.
func (db *DB) call(tx *sql.Tx, req *txRequest) (res txResult) {
	defer func() {
		if p := recover(); p != nil {
			res = txResult{panicked: p}
		}
	}()
	t := &Tx{db: db, tx: tx}
	err := req.fn(db.fnContext(req.ctx), t)
	if err == nil {
		err = req.ctx.Err()
	}
	return txResult{err: err, wake: t.wake}
}

func (db *DB) deliver(group []*txRequest, results []txResult) {
	for i, req := range group {
		req.done <- results[i]
	}
}
