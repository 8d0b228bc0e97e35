package store

import (
	"context"
	"fmt"
	"time"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// recipient is app.Recipient: one user's data in a transaction holding
// the user's lock.
type recipient struct {
	tx     *sqldb.Tx
	userID string
}

// SaveContact stores the user's contact details, unless the user is deleted.
func (r recipient) SaveContact(ctx context.Context, c app.Contact) error {
	row := toRecipientRow(r.userID, c)
	_, err := r.tx.ExecContext(ctx, `INSERT INTO recipients (user_id, email, name) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name
WHERE recipients.deleted_at IS NULL`, row.UserID, row.Email, row.Name)
	if err != nil {
		return fmt.Errorf("store recipient: %w", err)
	}
	return nil
}

// AddNotification stores n unless its user is deleted: one statement,
// where a read of the tombstone and an insert would be two. On PostgreSQL
// it travels with the commit (sqldb.ExecLater).
func (r recipient) AddNotification(ctx context.Context, n app.Notification) error {
	row := toNotificationRow(n)
	err := sqldb.ExecLater(ctx, r.tx, `INSERT INTO notifications (id, user_id, kind, subject, body, event_id, created_at)
SELECT $1, $2, $3, $4, $5, $6, $7
WHERE NOT EXISTS (SELECT 1 FROM recipients WHERE user_id = $2 AND deleted_at IS NOT NULL)`,
		row.ID, row.UserID, row.Kind, row.Subject, row.Body, row.EventID, row.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	return nil
}

// Erase deletes the user's notifications, contact details and events in
// the module's own event tables (messaging.EraseUser), and keeps only a
// tombstone, so late events about them create nothing.
func (r recipient) Erase(ctx context.Context, at time.Time) error {
	if _, err := r.tx.ExecContext(ctx, `DELETE FROM notifications WHERE user_id = $1`, r.userID); err != nil {
		return fmt.Errorf("delete notifications: %w", err)
	}
	_, err := r.tx.ExecContext(ctx, `INSERT INTO recipients (user_id, deleted_at) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET email = NULL, name = NULL, deleted_at = excluded.deleted_at`,
		r.userID, sqldb.Time(at))
	if err != nil {
		return fmt.Errorf("forget recipient: %w", err)
	}
	return messaging.EraseUser(ctx, r.tx, r.userID)
}
