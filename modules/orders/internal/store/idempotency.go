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

// IdempotencyKey returns what userID's key first produced.
func (Store) IdempotencyKey(ctx context.Context, q querier, userID, key string) (app.IdempotentResult, error) {
	var r app.IdempotentResult
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT request_hash, order_json FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
		userID, key).Scan(&r.RequestHash, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return r, app.ErrNotFound
	}
	if err == nil {
		err = json.Unmarshal(raw, &r.Order)
	}
	if err != nil {
		return r, fmt.Errorf("read idempotency key: %w", err)
	}
	return r, nil
}

// PutIdempotencyKey records that userID's key produced r.
func (Store) PutIdempotencyKey(ctx context.Context, q querier, userID, key string, r app.IdempotentResult, at time.Time) error {
	raw, err := json.Marshal(r.Order)
	if err == nil {
		_, err = q.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, order_json, created_at)
VALUES ($1, $2, $3, $4, $5)`, userID, key, r.RequestHash, string(raw), sqldb.Time(at))
	}
	if sqldb.IsUniqueViolation(err) {
		return app.ErrKeyTaken
	}
	if err != nil {
		return fmt.Errorf("store idempotency key: %w", err)
	}
	return nil
}

// sweepIdempotencyKeysSQL is SweepIdempotencyKeys' statement, which the
// index idempotency_keys_created_at serves.
const sweepIdempotencyKeysSQL = `DELETE FROM idempotency_keys WHERE created_at < $1`

// SweepIdempotencyKeys forgets the keys created before before.
func (Store) SweepIdempotencyKeys(ctx context.Context, q querier, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, sweepIdempotencyKeysSQL, sqldb.Time(before))
	if err != nil {
		return 0, fmt.Errorf("sweep idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
