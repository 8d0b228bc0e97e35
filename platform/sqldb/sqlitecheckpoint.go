package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/mattn/go-sqlite3"
)

// writerDriver is SQLite with automatic checkpoints turned off. By default
// the commit that fills the WAL past 1,000 pages copies it back into the
// database file and fsyncs it, stalling that commit (and every request
// waiting behind the single writer) for milliseconds; checkpointLoop does
// that work on its own connection instead.
const writerDriver = "sqlite3_writer"

func init() {
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil)
			return err
		},
	})
}

// Checkpoint pacing: often while commits come in, so each checkpoint is
// short; backing off to rarely while idle, so an idle process does no work.
const (
	checkpointMin = 100 * time.Millisecond
	checkpointMax = 5 * time.Second
)

// checkpointLoop copies committed WAL frames into the database file in
// PASSIVE mode: it never waits for, or blocks, readers and the writer.
func (lite *sqlite) checkpointLoop() {
	defer lite.db.workers.Done()
	interval := checkpointMin
	t := time.NewTimer(interval)
	defer t.Stop()
	var last walState
	for {
		select {
		case <-lite.db.closing:
			lite.checkpoint()
			return
		case <-t.C:
		}
		now := lite.checkpoint()
		if now != last {
			interval = checkpointMin // the WAL moved: commits are coming in
		} else {
			interval = min(2*interval, checkpointMax)
		}
		last = now
		t.Reset(interval)
	}
}

// walState is what a checkpoint reports: frames in the WAL, and how many of
// them are in the database file. The WAL only moves when someone commits.
type walState struct{ frames, checkpointed int }

// checkpoint runs one PASSIVE checkpoint. A failure is left for the next
// round: the WAL keeps every frame until it is checkpointed, so nothing is
// lost; only the file grows.
func (lite *sqlite) checkpoint() walState {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy int
	var st walState
	if err := lite.ckpt.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &st.frames, &st.checkpointed); err != nil {
		return walState{-1, -1}
	}
	return st
}
