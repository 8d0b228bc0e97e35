package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/sqldb"
)

// IdempotentResult returns what the user's key first produced.
func (u *user) IdempotentResult(ctx context.Context, key string) (app.IdempotentResult, error) {
	var r app.IdempotentResult
	var raw []byte
	err := u.tx.QueryRowContext(ctx, `SELECT request_hash, order_json FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
		u.id, key).Scan(&r.RequestHash, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return r, app.ErrNotFound
	}
	var o orderJSON
	if err == nil {
		err = json.Unmarshal(raw, &o)
	}
	if err != nil {
		return r, fmt.Errorf("read idempotency key: %w", err)
	}
	r.Order = toOrder(o)
	return r, nil
}

// putIdempotentResult records that the user's key produced r.
func (u *user) putIdempotentResult(ctx context.Context, key string, r app.IdempotentResult) error {
	raw, err := encode(toOrderJSON(r.Order))
	if err == nil {
		_, err = u.tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, order_json, created_at)
VALUES ($1, $2, $3, $4, $5)`, u.id, key, r.RequestHash, raw, sqldb.Time(r.Order.CreatedAt))
	}
	if sqldb.IsUniqueViolation(err) {
		return app.ErrKeyTaken
	}
	if err != nil {
		return fmt.Errorf("store idempotency key: %w", err)
	}
	return nil
}

// sweepIdempotencyKeysSQL is ForgetIdempotencyKeys' statement, which the
// index idempotency_keys_created_at serves.
const sweepIdempotencyKeysSQL = `DELETE FROM idempotency_keys WHERE created_at < $1`

// AddOrder stores o, unless its user is deleted: then the database refuses
// it (a trigger, see the migrations), and the transaction fails with
// app.ErrUserDeleted. On PostgreSQL the insert waits to travel with the
// transaction's next statement or its commit (sqldb.ExecLaterAs), which is
// where an error shows: placing an order takes one round trip. With a key,
// r is recorded as its result; then o's events go to the outbox.
func (u *user) AddOrder(ctx context.Context, o app.Order, key string, r app.IdempotentResult) error {
	if o.UserID != u.id {
		return errors.New("store: adding another user's order")
	}
	items, err := encode(toItemsJSON(o.Items))
	if err != nil {
		return fmt.Errorf("insert order %s: %w", o.ID, err)
	}
	addr, err := encode(toAddressJSON(o.ShippingAddress))
	if err != nil {
		return fmt.Errorf("insert order %s: %w", o.ID, err)
	}
	at := sqldb.Time(o.CreatedAt)
	err = u.tx.ExecLaterAs(ctx, func(err error) error {
		if sqldb.IsTriggerRefusal(err, "orders_user_deleted") {
			return app.ErrUserDeleted
		}
		return fmt.Errorf("insert order %s: %w", o.ID, err)
	}, `INSERT INTO orders (id, user_id, status, items, total_cents, currency, shipping_address, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		o.ID, o.UserID, o.Status, items, o.TotalCents, o.Currency, addr, at, at)
	if err == nil && key != "" {
		err = u.putIdempotentResult(ctx, key, r)
	}
	if err != nil {
		return err
	}
	return u.s.publish(ctx, u.tx, o.Events())
}
