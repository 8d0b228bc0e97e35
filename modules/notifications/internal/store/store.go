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

// IsDeleted reports whether userID closed their account.
func (Store) IsDeleted(ctx context.Context, q querier, userID string) (bool, error) {
	var deleted sql.NullString
	err := q.QueryRowContext(ctx, `SELECT deleted_at FROM recipients WHERE user_id = $1`, userID).Scan(&deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read recipient: %w", err)
	}
	return deleted.Valid, nil
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

// Insert stores n.
func (Store) Insert(ctx context.Context, q querier, n app.Notification) error {
	_, err := q.ExecContext(ctx, `INSERT INTO notifications (id, user_id, kind, subject, body, event_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.ID, n.UserID, n.Kind, n.Subject, n.Body, n.EventID, sqldb.Time(n.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	return nil
}

const selectNotifications = `SELECT n.xid, n.seq, n.id, n.user_id, n.kind, n.subject, n.body, n.event_id, n.created_at,
COALESCE(r.email, ''), COALESCE(r.name, '') FROM notifications n LEFT JOIN recipients r ON r.user_id = n.user_id `

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

// Unsent returns up to limit notifications the Sender has not accepted yet,
// in (xid, seq) order, among those whose transaction has settled.
func (s Store) Unsent(ctx context.Context, q querier, limit int) ([]app.Notification, error) {
	out, err := query(ctx, q, selectNotifications+`WHERE (n.xid, n.seq) > (
COALESCE((SELECT sent_xid FROM dispatch_cursor), 0), COALESCE((SELECT sent_through FROM dispatch_cursor), 0))
AND `+s.Dialect.Settled("n.xid")+` ORDER BY n.xid, n.seq LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read unsent notifications: %w", err)
	}
	return out, nil
}

// MarkSentThrough records that the Sender accepted every notification up
// to n, in (xid, seq) order.
func (Store) MarkSentThrough(ctx context.Context, q querier, n app.Notification) error {
	_, err := q.ExecContext(ctx, `INSERT INTO dispatch_cursor (id, sent_xid, sent_through) VALUES (1, $1, $2)
ON CONFLICT (id) DO UPDATE SET sent_xid = excluded.sent_xid, sent_through = excluded.sent_through
WHERE (dispatch_cursor.sent_xid, dispatch_cursor.sent_through) < (excluded.sent_xid, excluded.sent_through)`, n.Xid, n.Seq)
	if err != nil {
		return fmt.Errorf("move the sent cursor: %w", err)
	}
	return nil
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
		if err := rows.Scan(&n.Xid, &n.Seq, &n.ID, &n.UserID, &n.Kind, &n.Subject, &n.Body, &n.EventID,
			(*sqldb.Time)(&n.CreatedAt), &n.Email, &n.Name); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
