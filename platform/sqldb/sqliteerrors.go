package sqldb

import (
	"errors"
	"slices"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// What SQLite's errors mean, for errors.go.

func sqliteUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// sqliteUniqueViolationOn reads the table from the message, which names the
// columns: "UNIQUE constraint failed: table.column, …".
func sqliteUniqueViolationOn(err error, table string) bool {
	return sqliteUniqueViolation(err) && strings.Contains(err.Error(), " "+table+".")
}

func sqliteTriggerRefusal(err error, reason string) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintTrigger && se.Error() == reason
}

// sqliteUnavailable reports, when err is SQLite's (known), whether it is
// one of sqliteStorageFaults.
func sqliteUnavailable(err error) (unavailable, known bool) {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false, false
	}
	return slices.Contains(sqliteStorageFaults, se.Code), true
}

// sqliteStorageFaults are SQLite's primary result codes (every extended
// code under them included) for a file that cannot take writes now:
// read-only, full, failing, unopenable, or locked by another process
// beyond the busy timeout.
var sqliteStorageFaults = []sqlite3.ErrNo{
	sqlite3.ErrReadonly, sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrCantOpen, sqlite3.ErrBusy, sqlite3.ErrLocked,
}
