package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"slices"
	"syscall"
)

// IsUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY conflict.
func IsUniqueViolation(err error) bool {
	return sqliteUniqueViolation(err) || postgresUniqueViolation(err)
}

// IsUniqueViolationOn reports whether err is a UNIQUE or PRIMARY KEY
// conflict on table.
func IsUniqueViolationOn(err error, table string) bool {
	return sqliteUniqueViolationOn(err, table) || postgresUniqueViolationOn(err, table)
}

// IsTriggerRefusal reports whether err is a trigger refusing a row with
// reason: RAISE(ABORT, 'reason') on SQLite; on PostgreSQL a check_violation
// raised with CONSTRAINT = 'reason'.
func IsTriggerRefusal(err error, reason string) bool {
	return sqliteTriggerRefusal(err, reason) || postgresTriggerRefusal(err, reason)
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
	if isNetError(err) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) {
		return true
	}
	if unavailable, known := postgresUnavailable(err); known {
		return unavailable
	}
	if unavailable, known := sqliteUnavailable(err); known {
		return unavailable
	}
	var errno syscall.Errno
	return errors.As(err, &errno) && slices.Contains(unavailableErrnos, errno)
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
