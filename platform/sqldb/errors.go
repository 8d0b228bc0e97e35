package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

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

// IsUnavailable reports whether err says the database could not be reached
// or went away, rather than refusing the statement: the request may succeed
// once the database is back.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &netErr), errors.As(err, &connErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		pgconn.SafeToRetry(err): // the statement never reached the server
		return true
	case errors.As(err, &pe):
		// Class 08: connection exception; 57P01–57P03: shut down, or
		// cannot connect now.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return false
}
