package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// writeLoop is the one writer: it collects the InTx calls queued at once,
// up to maxGroup, and commits them as one transaction.
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
