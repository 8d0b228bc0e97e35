package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/sqldb"
)

// UserAddress returns the replicated address of userID.
func (Store) UserAddress(ctx context.Context, q querier, userID string) (app.Address, error) {
	var a app.Address
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT address FROM user_addresses WHERE user_id = $1`, userID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return a, app.ErrNotFound
	}
	if err == nil {
		err = json.Unmarshal(raw, &a)
	}
	if err != nil {
		return a, fmt.Errorf("read address replica: %w", err)
	}
	return a, nil
}

// PutUserAddress stores userID's address as of at, unless a newer one is
// already stored. The times are fixed width, so text order is time order.
func (Store) PutUserAddress(ctx context.Context, q querier, userID string, a app.Address, at time.Time) error {
	raw, err := json.Marshal(a)
	if err == nil {
		_, err = q.ExecContext(ctx, `INSERT INTO user_addresses (user_id, address, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at
WHERE excluded.updated_at >= user_addresses.updated_at`, userID, string(raw), sqldb.Time(at))
	}
	if err != nil {
		return fmt.Errorf("store address replica: %w", err)
	}
	return nil
}

// DeleteUserAddress forgets userID's address.
func (Store) DeleteUserAddress(ctx context.Context, q querier, userID string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM user_addresses WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete address replica: %w", err)
	}
	return nil
}

// MarkUserDeleted records that userID closed their account.
func (Store) MarkUserDeleted(ctx context.Context, q querier, userID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO deleted_users (user_id, deleted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		userID, sqldb.Time(at))
	if err != nil {
		return fmt.Errorf("mark user deleted: %w", err)
	}
	return nil
}

// IsUserDeleted reports whether userID closed their account.
func (Store) IsUserDeleted(ctx context.Context, q querier, userID string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM deleted_users WHERE user_id = $1`, userID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read deleted users: %w", err)
	}
	return true, nil
}

// LockUser holds the lock on userID's data until the transaction ends.
func (s Store) LockUser(ctx context.Context, q querier, userID string) error {
	if err := s.Dialect.LockKey(ctx, q, "orders/user/"+userID); err != nil {
		return fmt.Errorf("lock user: %w", err)
	}
	return nil
}
