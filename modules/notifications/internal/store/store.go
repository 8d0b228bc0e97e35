// Package store implements the notifications Store port on SQLite and
// PostgreSQL: it opens the transactions, binds the event handlers to the
// event processor's, and maps notifications and the recipient replica to
// rows of the notifications database (rows.go).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// Store implements app.Store.
type Store struct {
	db *sqldb.DB
}

var _ app.Store = (*Store)(nil)

// New returns the Store of db.
func New(db *sqldb.DB) *Store {
	return &Store{db: db}
}

// Notifications returns up to limit of userID's notifications older than
// beforeSeq (0: from the newest), newest first.
func (s *Store) Notifications(ctx context.Context, userID string, beforeSeq int64, limit int) ([]app.Notification, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	out, err := queryNotifications(ctx, s.db.Read, `WHERE n.user_id = $1 AND n.seq < $2 ORDER BY n.seq DESC LIMIT $3`,
		userID, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return out, nil
}

// RecipientDeleted reports whether userID's tombstone is stored.
func (s *Store) RecipientDeleted(ctx context.Context, userID string) (bool, error) {
	var one int
	err := s.db.Read.QueryRowContext(ctx, `SELECT 1 FROM recipients WHERE user_id = $1 AND deleted_at IS NOT NULL`,
		userID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read recipient: %w", err)
	}
	return true, nil
}

// Consume binds each handler to the event processor's transaction.
func (s *Store) Consume(handlers []app.EventHandler) []messaging.Handler {
	out := make([]messaging.Handler, len(handlers))
	for i, h := range handlers {
		out[i] = messaging.Handler{Topic: h.Topic, Apply: func(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
			return h.Apply(ctx, inTx{s, tx}, ev)
		}}
	}
	return out
}

// inTx is app.Recipients in a transaction someone else holds.
type inTx struct {
	s  *Store
	tx *sqldb.Tx
}

// Lock holds the lock on userID's data until the transaction ends.
func (t inTx) Lock(ctx context.Context, userID string) (app.Recipient, error) {
	if err := t.s.db.Dialect().LockKey(ctx, t.tx, "notifications/user/"+userID); err != nil {
		return nil, fmt.Errorf("lock user: %w", err)
	}
	return recipient{tx: t.tx, userID: userID}, nil
}

func queryNotifications(ctx context.Context, q sqldb.Querier, where string, args ...any) ([]app.Notification, error) {
	rows, err := q.QueryContext(ctx, selectNotifications+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.Notification
	for rows.Next() {
		var r notificationRow
		if err := rows.Scan(r.targets()...); err != nil {
			return nil, err
		}
		out = append(out, toNotification(r))
	}
	return out, rows.Err()
}
