package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"example.com/modmono/platform/sqlitedb"
)

// IdempotentResult is what an Idempotency-Key first produced.
type IdempotentResult struct {
	RequestHash string
	Order       Order
}

// IdempotencyKey returns what userID's key first produced.
func IdempotencyKey(ctx context.Context, q Querier, userID, key string) (IdempotentResult, error) {
	var r IdempotentResult
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT request_hash, order_json FROM idempotency_keys WHERE user_id = ? AND key = ?`,
		userID, key).Scan(&r.RequestHash, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(raw, &r.Order)
}

// PutIdempotencyKey records that userID's key produced o for requestHash.
func PutIdempotencyKey(ctx context.Context, q Querier, userID, key, requestHash string, o Order, at time.Time) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, order_json, created_at)
VALUES (?, ?, ?, ?, ?)`, userID, key, requestHash, raw, sqlitedb.Time(at))
	return err
}

// SweepIdempotencyKeys forgets the keys created before before.
func SweepIdempotencyKeys(ctx context.Context, q Querier, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, sqlitedb.Time(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
