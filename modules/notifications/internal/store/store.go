// Package store maps notifications and the recipient replica to rows of
// the notifications database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

// Store implements app.Store on SQLite and PostgreSQL.
type Store struct {
	Dialect sqldb.Dialect
}

var _ app.Store = Store{}

type querier = app.Querier

// PutRecipient stores a user's contact details, unless the user is deleted.
func (Store) PutRecipient(ctx context.Context, q querier, userID, email, name string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO recipients (user_id, email, name) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name
WHERE recipients.deleted_at IS NULL`, userID, email, name)
	if err != nil {
		return fmt.Errorf("store recipient: %w", err)
	}
	return nil
}

// ForgetRecipient deletes userID's notifications and contact details and
// keeps only a tombstone, so late events about them create nothing.
func (Store) ForgetRecipient(ctx context.Context, q querier, userID string, at time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM notifications WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete notifications: %w", err)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO recipients (user_id, deleted_at) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET email = NULL, name = NULL, deleted_at = excluded.deleted_at`,
		userID, sqldb.Time(at))
	if err != nil {
		return fmt.Errorf("forget recipient: %w", err)
	}
	return nil
}

// IsRecipientDeleted reports whether userID's tombstone is stored.
func (Store) IsRecipientDeleted(ctx context.Context, q querier, userID string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM recipients WHERE user_id = $1 AND deleted_at IS NOT NULL`, userID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read recipient: %w", err)
	}
	return true, nil
}

// Insert stores n unless its user is deleted: one statement, where a read
// of the tombstone and an insert would be two. In a transaction on
// PostgreSQL it travels with the commit (sqldb.ExecLater).
func (Store) Insert(ctx context.Context, q querier, n app.Notification) error {
	err := sqldb.ExecLater(ctx, q, `INSERT INTO notifications (id, user_id, kind, subject, body, event_id, created_at)
SELECT $1, $2, $3, $4, $5, $6, $7
WHERE NOT EXISTS (SELECT 1 FROM recipients WHERE user_id = $2 AND deleted_at IS NOT NULL)`,
		n.ID, n.UserID, n.Kind, n.Subject, n.Body, n.EventID, sqldb.Time(n.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	return nil
}

const notificationColumns = `n.seq, n.id, n.user_id, n.kind, n.subject, n.body, n.event_id, n.created_at,
COALESCE(r.email, ''), COALESCE(r.name, '')`

const selectNotifications = `SELECT ` + notificationColumns + ` FROM notifications n LEFT JOIN recipients r ON r.user_id = n.user_id `

// ListByUser returns up to limit of userID's notifications older than
// beforeSeq (0: from the newest), newest first.
func (Store) ListByUser(ctx context.Context, q querier, userID string, beforeSeq int64, limit int) ([]app.Notification, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	out, err := query(ctx, q, selectNotifications+`WHERE n.user_id = $1 AND n.seq < $2 ORDER BY n.seq DESC LIMIT $3`,
		userID, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return out, nil
}

// Unsent is the notifications table as the Sender reads it, in the order
// stored, each with its recipient's contact details.
func Unsent() sqlpubsub.Table[app.Notification] {
	return sqlpubsub.Table[app.Notification]{
		From:    "notifications n LEFT JOIN recipients r ON r.user_id = n.user_id",
		Alias:   "n",
		Columns: notificationColumns,
		Scan: func(scan func(dest ...any) error) (app.Notification, error) {
			var n app.Notification
			err := scan(scanTargets(&n)...)
			return n, err
		},
	}
}

func query(ctx context.Context, q querier, sqlText string, args ...any) ([]app.Notification, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.Notification
	for rows.Next() {
		var n app.Notification
		if err := rows.Scan(scanTargets(&n)...); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// scanTargets are where the notificationColumns of a row go.
func scanTargets(n *app.Notification) []any {
	return []any{&n.Seq, &n.ID, &n.UserID, &n.Kind, &n.Subject, &n.Body, &n.EventID,
		(*sqldb.Time)(&n.CreatedAt), &n.Email, &n.Name}
}

// LockUser holds the lock on userID's data until the transaction ends.
func (s Store) LockUser(ctx context.Context, q querier, userID string) error {
	if err := s.Dialect.LockKey(ctx, q, "notifications/user/"+userID); err != nil {
		return fmt.Errorf("lock user: %w", err)
	}
	return nil
}
