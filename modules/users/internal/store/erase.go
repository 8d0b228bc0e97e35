package store

import (
	"context"
	"database/sql"
	"fmt"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// erase removes what the module holds about the user id, in the transaction
// that deletes the account: the account itself (e-mail, name, password
// hash, address), and the user's events in the module's poison queue and
// relayed outbox (messaging.EraseUser).
func erase(ctx context.Context, tx *sqldb.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err := affectedOne(res, err, "delete user"); err != nil {
		return err
	}
	return messaging.EraseUser(ctx, tx, id)
}

// affectedOne is app.ErrNotFound when the statement changed no row, and a
// database failure (never ErrNotFound) when it failed.
func affectedOne(res sql.Result, err error, what string) error {
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case n == 0:
		return app.ErrNotFound
	}
	return nil
}
