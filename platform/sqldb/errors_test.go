package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"

	"example.com/modmono/platform/sqldb"
)

// IsUnavailable answers 503 + Retry-After for a database that cannot
// take the request now, SQLite's storage faults included, and 500 for a
// statement the database refused.
func TestIsUnavailableTellsAnOutageFromARefusal(t *testing.T) {
	db := open(t)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a write on a query-only connection (SQLITE_READONLY)", sqliteErr(t, sqlite3.ErrReadonly, writeOnReader(db)), true},
		{"a moved database file (SQLITE_READONLY_DBMOVED)", sqlite3.Error{Code: sqlite3.ErrReadonly, ExtendedCode: sqlite3.ErrReadonlyDbMoved}, true},
		{"a database at its size limit (SQLITE_FULL)", sqliteErr(t, sqlite3.ErrFull, fillUp(t)), true},
		{"a failed write to the disk (SQLITE_IOERR_WRITE)", sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: syscall.EIO}, true},
		{"a failed fsync (SQLITE_IOERR_FSYNC), wrapped", fmt.Errorf("commit: %w", sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrFsync}), true},
		{"a file that cannot be opened (SQLITE_CANTOPEN)", sqliteErr(t, sqlite3.ErrCantOpen, openMissing(t)), true},
		{"a file another process holds beyond the busy timeout (SQLITE_BUSY)", sqliteErr(t, sqlite3.ErrBusy, busy(t)), true},
		{"a locked table (SQLITE_LOCKED)", sqlite3.Error{Code: sqlite3.ErrLocked, ExtendedCode: sqlite3.ErrLockedSharedCache}, true},
		{"a read-only file system under a path", fmt.Errorf("write: %w", &fs.PathError{Op: "write", Path: "/data/orders.db", Err: syscall.EROFS}), true},
		{"a full disk under a path", &fs.PathError{Op: "write", Path: "/data/orders.db-wal", Err: syscall.ENOSPC}, true},
		{"an I/O error", fmt.Errorf("checkpoint: %w", syscall.EIO), true},
		{"a refused connection", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"a unique violation", sqliteErr(t, sqlite3.ErrConstraint, duplicate(db)), false},
		{"a syntax error", sqliteErr(t, sqlite3.ErrError, exec(db, `INSER INTO rows VALUES ('x')`)), false},
		{"a missing file that is not the database", &fs.PathError{Op: "open", Path: "/etc/modmono.yaml", Err: syscall.ENOENT}, false},
		{"a permission refused", fmt.Errorf("open: %w", syscall.EACCES), false},
		{"a plain error", errors.New("boom"), false},
		{"no error", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sqldb.IsUnavailable(tc.err); got != tc.want {
				t.Errorf("IsUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// sqliteErr fails t unless err is a SQLite error of code, as the case
// producing it meant it to be, and returns it.
func sqliteErr(t *testing.T, code sqlite3.ErrNo, err error) error {
	t.Helper()
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != code {
		t.Fatalf("got %v, want a SQLite error of code %d", err, code)
	}
	return err
}

func exec(db *sqldb.DB, query string) error {
	_, err := db.Write.Exec(query)
	return err
}

func writeOnReader(db *sqldb.DB) error {
	_, err := db.Read.Exec(`INSERT INTO rows (name) VALUES ('x')`)
	return err
}

func duplicate(db *sqldb.DB) error {
	if err := exec(db, `INSERT INTO rows (name) VALUES ('dup')`); err != nil {
		return err
	}
	return exec(db, `INSERT INTO rows (name) VALUES ('dup')`)
}

// rawSQLite opens a one-connection pool on path, outside sqldb.
func rawSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func fillUp(t *testing.T) error {
	db := rawSQLite(t, filepath.Join(t.TempDir(), "full.db"))
	for _, q := range []string{`CREATE TABLE b (v BLOB)`, `PRAGMA max_page_count = 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.Exec(`INSERT INTO b VALUES (zeroblob(1000000))`)
	return err
}

func openMissing(t *testing.T) error {
	return rawSQLite(t, filepath.Join(t.TempDir(), "no", "such", "dir.db")).Ping()
}

// busy is a write that waits 10 ms for a lock another connection holds.
func busy(t *testing.T) error {
	path := filepath.Join(t.TempDir(), "busy.db")
	holder := rawSQLite(t, path)
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	_, err = rawSQLite(t, "file:"+path+"?_busy_timeout=10").Exec(`BEGIN IMMEDIATE`)
	return err
}
