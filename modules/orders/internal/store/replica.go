package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"example.com/modmono/platform/sqlitedb"
)

// UserAddress returns the replicated address of userID.
func UserAddress(ctx context.Context, q Querier, userID string) (Address, error) {
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT address FROM user_addresses WHERE user_id = ?`, userID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Address{}, ErrNotFound
	}
	if err != nil {
		return Address{}, err
	}
	var a Address
	return a, json.Unmarshal(raw, &a)
}

// PutUserAddress stores userID's address as of at, unless a newer one is
// already stored.
func PutUserAddress(ctx context.Context, q Querier, userID string, a Address, at time.Time) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO user_addresses (user_id, address, updated_at) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at
WHERE excluded.updated_at >= user_addresses.updated_at`, userID, raw, sqlitedb.Time(at))
	return err
}

// DeleteUserAddress forgets userID's address.
func DeleteUserAddress(ctx context.Context, q Querier, userID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM user_addresses WHERE user_id = ?`, userID)
	return err
}

// MarkUserDeleted records that userID closed their account.
func MarkUserDeleted(ctx context.Context, q Querier, userID string, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO deleted_users (user_id, deleted_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		userID, sqlitedb.Time(at))
	return err
}

// IsUserDeleted reports whether userID closed their account.
func IsUserDeleted(ctx context.Context, q Querier, userID string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM deleted_users WHERE user_id = ?`, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
