package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// IsUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY conflict.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// IsUniqueViolationOn reports whether err is a UNIQUE or PRIMARY KEY
// conflict on table.
func IsUniqueViolationOn(err error, table string) bool {
	if !IsUniqueViolation(err) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.TableName == table
	}
	// SQLite names the columns: "UNIQUE constraint failed: table.column, …".
	return strings.Contains(err.Error(), " "+table+".")
}

// IsTriggerRefusal reports whether err is a trigger refusing a row with
// reason: RAISE(ABORT, 'reason') on SQLite; on PostgreSQL a check_violation
// raised with CONSTRAINT = 'reason'.
func IsTriggerRefusal(err error, reason string) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintTrigger && se.Error() == reason
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && pe.ConstraintName == reason
}

// Querier is what a store function needs: a *sql.DB (DB.Read, DB.Write) or
// the *Tx that InTx hands out.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Execer
}

// Execer is what runs a statement: a Querier, or a *sql.Tx.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// IsUnavailable reports whether err says the database could not be reached,
// went away, or cannot take writes right now, rather than refusing the
// statement: the request may succeed once the database is back (an operator
// frees the disk, remounts it writable, or another process lets go of the
// SQLite file).
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var connErr *pgconn.ConnectError
	var pe *pgconn.PgError
	var se sqlite3.Error
	var errno syscall.Errno
	switch {
	case isNetError(err), errors.As(err, &connErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		pgconn.SafeToRetry(err): // the statement never reached the server
		return true
	case errors.As(err, &pe):
		// Class 08: connection exception; 57P01–57P03: shut down, or
		// cannot connect now.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	case errors.As(err, &se):
		return slices.Contains(sqliteStorageFaults, se.Code)
	case errors.As(err, &errno):
		return slices.Contains(unavailableErrnos, errno)
	}
	return false
}

// sqliteStorageFaults are SQLite's primary result codes (every extended
// code under them included) for a file that cannot take writes now:
// read-only, full, failing, unopenable, or locked by another process
// beyond the busy timeout.
var sqliteStorageFaults = []sqlite3.ErrNo{
	sqlite3.ErrReadonly, sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrCantOpen, sqlite3.ErrBusy, sqlite3.ErrLocked,
}

// unavailableErrnos are the system errors, surfacing bare or wrapped (in an
// *fs.PathError, say), that mean the disk or the server is out of reach.
var unavailableErrnos = []syscall.Errno{
	syscall.EROFS, syscall.ENOSPC, syscall.EIO,
	syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT,
}

// isNetError reports a net.Error other than a bare syscall.Errno, which
// implements net.Error too: an ENOENT or an EACCES is no outage.
func isNetError(err error) bool {
	var netErr net.Error
	if !errors.As(err, &netErr) {
		return false
	}
	_, isErrno := netErr.(syscall.Errno)
	return !isErrno
}
