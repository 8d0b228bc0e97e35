// Package sqldb opens a module's database, SQLite or PostgreSQL, tuned for a
// concurrent web server, and applies the module's embedded migrations.
//
// Stores write one SQL text for both engines: $1, $2 … placeholders in
// order of first use (SQLite numbers $N parameters that way), ON CONFLICT
// upserts, and times as fixed-width text (Time).
//
// On SQLite, a module's database is its own file. SQLite allows one writer at a time. Instead of letting concurrent writers
// collide on the file lock (SQLITE_BUSY), every write goes through a pool of
// exactly one connection, so writers queue in Go; reads use a separate pool of
// read-only connections that WAL mode lets run beside the writer.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Options tune a database; the zero value gives the defaults.
type Options struct {
	// ReadConns is the size of the read-only pool. Default: max(4, 2*GOMAXPROCS).
	ReadConns int
	// BusyTimeout is how long SQLite waits on a lock held by another process
	// (a backup tool, a second binary) before giving up. Default: 5s.
	BusyTimeout time.Duration
}

func (o *Options) setDefaults() {
	if o.ReadConns <= 0 {
		o.ReadConns = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
}

// DB is one module's database. On SQLite: a single-connection writer and a
// reader pool. On PostgreSQL: one pool, both Write and Read, whose
// connections see only the module's schema.
type DB struct {
	dialect  Dialect
	schema   string          // PostgreSQL: the module's schema
	instance string          // PostgreSQL: see Instance
	pgConf   *pgx.ConnConfig // PostgreSQL: how the listener connects
	pooled   bool            // PostgreSQL: behind a transaction pooler; see Pooled

	// Write is the only handle that may change data. Transactions on it begin
	// IMMEDIATE, so they hold the write lock from their first statement.
	Write *sql.DB
	// Read serves queries; its connections are query-only.
	Read *sql.DB

	path string
	ckpt *sql.DB // the checkpointer's own connection

	mu            sync.Mutex
	onCommit      []func()
	onGroupCommit []func(size int)
	listeners     map[string][]func() // PostgreSQL: Listen's functions, by channel

	queue    chan *txRequest // InTx calls waiting for the writer goroutine
	closeMu  sync.RWMutex
	closed   bool
	closing  chan struct{}
	writerWG sync.WaitGroup
}

// OpenSQLite opens (creating if needed) the database file at path in WAL mode.
func OpenSQLite(path string, opts Options) (*DB, error) {
	opts.setDefaults()
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write, err := sql.Open(writerDriver, dsn(path, opts, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Touch the file with the writer first: it creates the file and switches
	// it to WAL before any read-only connection looks at it.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite3", dsn(path, opts, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	read.SetConnMaxIdleTime(0)
	ckpt, err := sql.Open("sqlite3", dsn(path, opts, false))
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	db := &DB{dialect: SQLite, Write: write, Read: read, path: path, ckpt: ckpt,
		queue: make(chan *txRequest, maxGroup), closing: make(chan struct{})}
	db.writerWG.Add(2)
	go db.writeLoop()
	go db.checkpointLoop()
	return db, nil
}

// createPrivate creates the database file, if it is not there, readable by
// its owner only: it holds password hashes and personal data, and SQLite
// gives its WAL and shared-memory files the database file's mode, whatever
// the directory's.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

func dsn(path string, opts Options, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL") // durable across process crashes; WAL fsyncs at checkpoints
	q.Set("_busy_timeout", fmt.Sprint(opts.BusyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_cache_size", "-16000") // 16 MB page cache per connection
	// Each connection keeps its prepared statements: preparing one was a
	// third of the single writer's time (issue 20's profile), and every
	// module runs the same few statements again and again.
	q.Set("_stmt_cache_size", "64")
	q.Set("_journal_size_limit", "67108864")
	// Deleted rows (an erased user's data) are overwritten with zeros, not
	// left in free pages of the file for anyone who reads it.
	q.Set("_secure_delete", "true")
	if readOnly {
		q.Set("_query_only", "true")
	}
	return "file:" + path + "?" + q.Encode()
}

// Path is the file the database lives in ("" on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Dialect is the engine under db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Schema is the PostgreSQL schema db works in ("" on SQLite).
func (db *DB) Schema() string { return db.schema }

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

// QueueDepth is how many InTx calls wait for the SQLite writer now (always
// 0 on PostgreSQL, which has no single writer).
func (db *DB) QueueDepth() int { return len(db.queue) }

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
	db.writerWG.Wait()
	if db.dialect == Postgres {
		return db.Write.Close()
	}
	return errors.Join(db.Read.Close(), db.Write.Close(), db.ckpt.Close())
}
