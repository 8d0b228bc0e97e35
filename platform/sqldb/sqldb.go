// Package sqldb opens a module's database, SQLite or PostgreSQL, tuned for a
// concurrent web server, and applies the module's embedded migrations.
//
// Stores write one SQL text for both engines: $1, $2 … placeholders in
// order of first use (SQLite numbers $N parameters that way), ON CONFLICT
// upserts, and times as fixed-width text (Time). Where the engines' SQL
// must differ, a Dialect's methods give the fragment.
//
// On SQLite, a module's database is its own file. SQLite allows one writer at a time. Instead of letting concurrent writers
// collide on the file lock (SQLITE_BUSY), every write goes through a pool of
// exactly one connection, so writers queue in Go; reads use a separate pool of
// read-only connections that WAL mode lets run beside the writer.
//
// What differs per engine lives in files named for it: sqlite*.go (the
// file, the single writer and its group commit, checkpoints) and
// postgres*.go (the schema, pipelined transactions, LISTEN/NOTIFY). DB and
// Tx hold what both engines share, and reach the rest through an engine
// and an engineTx.
package sqldb

import (
	"context"
	"database/sql"
	"io/fs"
	"sync"

	"github.com/pressly/goose/v3"
)

// DB is one module's database. On SQLite: a single-connection writer and a
// reader pool. On PostgreSQL: one pool, both Write and Read, whose
// connections see only the module's schema.
type DB struct {
	dialect Dialect
	engine  engine // the engine's half: *sqlite (sqlite.go) or *postgres (postgres.go)

	// Write is the only handle that may change data. Transactions on it begin
	// IMMEDIATE, so they hold the write lock from their first statement.
	Write *sql.DB
	// Read serves queries; its connections are query-only.
	Read *sql.DB

	mu            sync.Mutex
	onCommit      []func()
	onGroupCommit []func(size int)

	closeMu sync.RWMutex
	closed  bool
	closing chan struct{}  // closed by Close: the engine's goroutines stop
	workers sync.WaitGroup // the engine's goroutines, which Close waits for
}

// engine is what a DB does differently on each engine.
type engine interface {
	// inTx is InTx once the checks both engines share have passed.
	inTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error
	// listen is Listen.
	listen(channel string, f func())
	// notify is Tx.Notify.
	notify(t *Tx, channel string)
	// migrations returns the goose dialect, files and options of m's
	// history on this engine.
	migrations(m Migrations) (goose.Dialect, fs.FS, []goose.ProviderOption, error)
	// where names the database in messages: its file, or its schema.
	where() string
	// close closes the pools, once the engine's goroutines have stopped.
	close() error
}

// Dialect is the engine under db.
func (db *DB) Dialect() Dialect { return db.dialect }

// OnCommit registers f to run after every successful InTx commit. The outbox
// relay uses it to wake up as soon as an event is committed; f must not block.
func (db *DB) OnCommit(f func()) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.onCommit = append(db.onCommit, f)
}

// OnGroupCommit registers f to learn the size of every commit: how many
// InTx calls it carried. Metrics use it; f must not block.
func (db *DB) OnGroupCommit(f func(size int)) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.onGroupCommit = append(db.onGroupCommit, f)
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

// Listen calls f whenever a transaction committed on db may have written
// something channel's listeners care about. On SQLite: after every commit
// (one process owns the file, so its commits are all there are). On
// PostgreSQL: after every commit in this process whose transaction called
// Tx.Notify(channel), and on every NOTIFY on channel from another process,
// which a trigger of the tables concerned sends, plus once after each
// (re)connection for what was missed while away; behind a transaction
// pooler (Pooled), on this process's commits only. f must not block.
// Listening stops when db closes.
func (db *DB) Listen(channel string, f func()) { db.engine.listen(channel, f) }

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Write.PingContext(ctx); err != nil {
		return err
	}
	if db.Read == db.Write {
		return nil
	}
	return db.Read.PingContext(ctx)
}

// Close finishes the transactions already queued, then closes both pools.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if !db.closed {
		db.closed = true
		close(db.closing)
	}
	db.closeMu.Unlock()
	db.workers.Wait()
	return db.engine.close()
}

// isClosed reports whether Close was called.
func (db *DB) isClosed() bool {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	return db.closed
}
