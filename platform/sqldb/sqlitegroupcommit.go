package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
)

// writeLoop is the one writer: it collects the InTx calls queued at once,
// up to maxGroup, and commits them as one transaction.
//
// When the queue runs dry it yields its CPU once before it stops
// collecting: under load the callers that would join the group are
// runnable but not yet running (an HTTP handler between its decode and its
// InTx), and on a machine with few CPUs the writer would otherwise commit
// groups of one while they wait for it. One yield took
// BenchmarkPlaceOrderVsHandWritten from 3,150-4,430 to 6,840-7,400 orders/s
// on 2 CPUs, at half the CPU per order (docs/performance.md); when nothing
// else is runnable it returns at once, so a lone commit waits no longer.
func (lite *sqlite) writeLoop() {
	defer lite.db.workers.Done()
	for {
		var first *txRequest
		select {
		case first = <-lite.queue:
		case <-lite.db.closing:
			lite.finishQueued()
			return
		}
		group := []*txRequest{first}
		yielded := false
	collect:
		for len(group) < maxGroup {
			select {
			case req := <-lite.queue:
				group = append(group, req)
			default:
				if yielded {
					break collect
				}
				yielded = true
				runtime.Gosched()
			}
		}
		lite.commitGroup(group)
	}
}

// finishQueued commits what was queued before Close.
func (lite *sqlite) finishQueued() {
	for {
		select {
		case req := <-lite.queue:
			lite.commitGroup([]*txRequest{req})
		default:
			return
		}
	}
}

func (lite *sqlite) commitGroup(group []*txRequest) {
	results := make([]txResult, len(group))
	tx, err := lite.db.Write.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("begin: %w", err)
		}
		lite.deliver(group, results)
		return
	}
	committed := false
	if len(group) == 1 {
		results[0] = lite.runAlone(tx, group[0])
		committed = results[0].err == nil && results[0].panicked == nil
	} else {
		committed = lite.runInSavepoints(tx, group, results)
	}
	if !committed {
		if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			for i := range results {
				if results[i].err == nil && results[i].panicked == nil {
					results[i].err = fmt.Errorf("rollback: %w", err)
				}
			}
		}
		lite.deliver(group, results)
		return
	}
	if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i].err == nil && results[i].panicked == nil {
				results[i].err = fmt.Errorf("commit: %w", err)
			}
		}
		lite.deliver(group, results)
		return
	}
	for _, res := range results {
		if res.err == nil && res.panicked == nil {
			for _, f := range res.wake {
				f()
			}
		}
	}
	lite.deliver(group, results)
	lite.db.committed(len(group))
}

// runAlone runs the only request of a group with no savepoint.
func (lite *sqlite) runAlone(tx *sql.Tx, req *txRequest) txResult {
	if err := req.start(); err != nil {
		return txResult{err: err}
	}
	return lite.call(tx, req)
}

// runInSavepoints runs each request in its own savepoint and reports whether
// any of them left changes to commit. A failure of the savepoint machinery
// itself fails the whole group.
func (lite *sqlite) runInSavepoints(tx *sql.Tx, group []*txRequest, results []txResult) bool {
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
		results[i] = lite.call(tx, req)
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
func (lite *sqlite) call(tx *sql.Tx, req *txRequest) (res txResult) {
	defer func() {
		if p := recover(); p != nil {
			res = txResult{panicked: p}
		}
	}()
	t := &Tx{db: lite.db, side: sqliteTx{tx}}
	err := req.fn(lite.fnContext(req.ctx), t)
	if err == nil {
		err = req.ctx.Err()
	}
	return txResult{err: err, wake: t.wake}
}

func (lite *sqlite) deliver(group []*txRequest, results []txResult) {
	for i, req := range group {
		req.done <- results[i]
	}
}
