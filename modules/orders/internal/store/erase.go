package store

import (
	"context"
	"encoding/json"
	"fmt"

	"example.com/modmono/modules/orders/internal/app"
)

// UpdateShippingAddresses replaces the shipping address a of each of
// userID's orders with change(a), writing only the orders it changes.
func (Store) UpdateShippingAddresses(ctx context.Context, q querier, userID string, change func(app.Address) app.Address) error {
	addrs, err := shippingAddresses(ctx, q, userID)
	if err != nil {
		return fmt.Errorf("read shipping addresses: %w", err)
	}
	for id, a := range addrs {
		changed := change(a)
		if changed == a {
			continue
		}
		raw, err := json.Marshal(changed)
		if err == nil {
			_, err = q.ExecContext(ctx, `UPDATE orders SET shipping_address = $1 WHERE id = $2`, string(raw), id)
		}
		if err != nil {
			return fmt.Errorf("update shipping address of order %s: %w", id, err)
		}
	}
	return nil
}

// shippingAddresses returns the shipping address of each of userID's
// orders, by order id.
func shippingAddresses(ctx context.Context, q querier, userID string) (map[string]app.Address, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, shipping_address FROM orders WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]app.Address{}
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, err
		}
		var a app.Address
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("order %s address: %w", id, err)
		}
		out[id] = a
	}
	return out, rows.Err()
}

// DeleteIdempotencyKeys forgets every Idempotency-Key of userID.
func (Store) DeleteIdempotencyKeys(ctx context.Context, q querier, userID string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete idempotency keys: %w", err)
	}
	return nil
}
