package sqldb

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// What PostgreSQL's errors mean, for errors.go.

func postgresUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func postgresUniqueViolationOn(err error, table string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.TableName == table
}

func postgresTriggerRefusal(err error, reason string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && pe.ConstraintName == reason
}

// postgresUnavailable reports, when err is PostgreSQL's (known), whether
// it says the server could not be reached or cannot serve now.
func postgresUnavailable(err error) (unavailable, known bool) {
	var connErr *pgconn.ConnectError
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &connErr), pgconn.SafeToRetry(err): // the statement never reached the server
		return true, true
	case errors.As(err, &pe):
		// Class 08: connection exception; 57P01–57P03: shut down, or
		// cannot connect now.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03", true
	}
	return false, false
}

// retryable reports a transaction the server aborted to resolve a conflict
// with another: running it again can succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
