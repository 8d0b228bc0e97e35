package sqldb

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
	"github.com/pressly/goose/v3"
)

// SQLiteOptions tune a SQLite database; the zero value gives the defaults.
type SQLiteOptions struct {
	// ReadConns is the size of the read-only pool. Default: max(4, 2*GOMAXPROCS).
	ReadConns int
	// BusyTimeout is how long SQLite waits on a lock held by another process
	// (a backup tool, a second binary) before giving up. Default: 5s.
	BusyTimeout time.Duration
}

func (o *SQLiteOptions) setDefaults() {
	if o.ReadConns <= 0 {
		o.ReadConns = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
}

// sqlite is a DB's engine on SQLite: a file, one writer goroutine that
// commits the queued InTx calls in groups (sqlitegroupcommit.go), and a
// checkpointer (sqlitecheckpoint.go).
type sqlite struct {
	db    *DB
	path  string
	ckpt  *sql.DB         // the checkpointer's own connection
	queue chan *txRequest // InTx calls waiting for the writer goroutine
}

// OpenSQLite opens (creating if needed) the database file at path in WAL mode.
func OpenSQLite(path string, opts SQLiteOptions) (*DB, error) {
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
	db := &DB{dialect: SQLite, Write: write, Read: read, closing: make(chan struct{})}
	lite := &sqlite{db: db, path: path, ckpt: ckpt, queue: make(chan *txRequest, maxGroup)}
	db.engine = lite
	db.workers.Add(2)
	go lite.writeLoop()
	go lite.checkpointLoop()
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

func dsn(path string, opts SQLiteOptions, readOnly bool) string {
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
func (db *DB) Path() string {
	if lite, ok := db.engine.(*sqlite); ok {
		return lite.path
	}
	return ""
}

// QueueDepth is how many InTx calls wait for the SQLite writer now (always
// 0 on PostgreSQL, which has no single writer).
func (db *DB) QueueDepth() int {
	if lite, ok := db.engine.(*sqlite); ok {
		return len(lite.queue)
	}
	return 0
}

// listen: on SQLite one process owns the file, so its commits are all
// there are, and every one may concern a listener.
func (lite *sqlite) listen(_ string, f func()) { lite.db.OnCommit(f) }

// notify has nothing to do: Listen's functions run after every commit.
func (lite *sqlite) notify(*Tx, string) {}

func (lite *sqlite) migrations(m Migrations) (goose.Dialect, fs.FS, []goose.ProviderOption, error) {
	return goose.DialectSQLite3, m.SQLite, nil, nil
}

func (lite *sqlite) where() string { return lite.path }

func (lite *sqlite) close() error {
	return errors.Join(lite.db.Read.Close(), lite.db.Write.Close(), lite.ckpt.Close())
}
