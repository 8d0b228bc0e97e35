// Package store keeps notifications and the recipient replica in the
// notifications database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"example.com/modmono/platform/sqlitedb"
)

// Querier is a *sql.DB or a *sql.Tx.
type Querier = sqlitedb.Querier

// Notification is a stored notification; Email and Name come from the
// recipient replica and may be empty when the recipient is not known yet.
type Notification struct {
	Seq       int64
	ID        string
	UserID    string
	Kind      string
	Subject   string
	Body      string
	EventID   string
	CreatedAt time.Time
	Email     string
	Name      string
}

// PutRecipient stores a user's contact details, unless the user is deleted.
func PutRecipient(ctx context.Context, q Querier, userID, email, name string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO recipients (user_id, email, name) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name
WHERE recipients.deleted_at IS NULL`, userID, email, name)
	return err
}

// IsDeleted reports whether userID closed their account.
func IsDeleted(ctx context.Context, q Querier, userID string) (bool, error) {
	var deleted sql.NullString
	err := q.QueryRowContext(ctx, `SELECT deleted_at FROM recipients WHERE user_id = ?`, userID).Scan(&deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return deleted.Valid, err
}

// ForgetRecipient deletes userID's notifications and contact details and
// keeps only a tombstone, so late events about them create nothing.
func ForgetRecipient(ctx context.Context, q Querier, userID string, at time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM notifications WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO recipients (user_id, deleted_at) VALUES (?, ?)
ON CONFLICT (user_id) DO UPDATE SET email = NULL, name = NULL, deleted_at = excluded.deleted_at`,
		userID, sqlitedb.Time(at))
	return err
}

// Insert stores n.
func Insert(ctx context.Context, q Querier, n Notification) error {
	_, err := q.ExecContext(ctx, `INSERT INTO notifications (id, user_id, kind, subject, body, event_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.UserID, n.Kind, n.Subject, n.Body, n.EventID, sqlitedb.Time(n.CreatedAt))
	return err
}

const selectNotifications = `SELECT n.seq, n.id, n.user_id, n.kind, n.subject, n.body, n.event_id, n.created_at,
COALESCE(r.email, ''), COALESCE(r.name, '') FROM notifications n LEFT JOIN recipients r ON r.user_id = n.user_id `

// ListByUser returns up to limit of userID's notifications older than
// beforeSeq (0: from the newest), newest first.
func ListByUser(ctx context.Context, q Querier, userID string, beforeSeq int64, limit int) ([]Notification, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	return query(ctx, q, selectNotifications+`WHERE n.user_id = ? AND n.seq < ? ORDER BY n.seq DESC LIMIT ?`,
		userID, beforeSeq, limit)
}

// Unsent returns up to limit notifications the Sender has not accepted yet,
// oldest first.
func Unsent(ctx context.Context, q Querier, limit int) ([]Notification, error) {
	return query(ctx, q, selectNotifications+`WHERE n.seq > COALESCE((SELECT sent_through FROM dispatch_cursor), 0)
ORDER BY n.seq LIMIT ?`, limit)
}

// MarkSentThrough records that the Sender accepted every notification up
// to seq.
func MarkSentThrough(ctx context.Context, q Querier, seq int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO dispatch_cursor (id, sent_through) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET sent_through = max(sent_through, excluded.sent_through)`, seq)
	return err
}

func query(ctx context.Context, q Querier, sqlText string, args ...any) ([]Notification, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.Seq, &n.ID, &n.UserID, &n.Kind, &n.Subject, &n.Body, &n.EventID, (*sqlitedb.Time)(&n.CreatedAt), &n.Email, &n.Name); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
