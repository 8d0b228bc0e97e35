package store

import (
	"context"
	"fmt"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/messaging"
)

// Erase replaces the shipping address a of each of the user's orders with
// erased(a), writing only the orders it changes, and forgets the address
// replica, the Idempotency-Key results and the user's events in the
// module's own event tables (messaging.EraseUser).
func (u *user) Erase(ctx context.Context, erased func(app.Address) app.Address) error {
	if _, err := u.tx.ExecContext(ctx, `DELETE FROM user_addresses WHERE user_id = $1`, u.id); err != nil {
		return fmt.Errorf("delete address replica: %w", err)
	}
	u.replica = app.Replica{}
	if err := u.eraseShippingAddresses(ctx, erased); err != nil {
		return err
	}
	if _, err := u.tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1`, u.id); err != nil {
		return fmt.Errorf("delete idempotency keys: %w", err)
	}
	return messaging.EraseUser(ctx, u.tx, u.id)
}

func (u *user) eraseShippingAddresses(ctx context.Context, erased func(app.Address) app.Address) error {
	addrs, err := u.shippingAddresses(ctx)
	if err != nil {
		return fmt.Errorf("read shipping addresses: %w", err)
	}
	for id, a := range addrs {
		changed := erased(a)
		if changed == a {
			continue
		}
		raw, err := encode(toAddressJSON(changed))
		if err == nil {
			_, err = u.tx.ExecContext(ctx, `UPDATE orders SET shipping_address = $1 WHERE id = $2`, raw, id)
		}
		if err != nil {
			return fmt.Errorf("update shipping address of order %s: %w", id, err)
		}
	}
	return nil
}

// shippingAddresses returns the shipping address of each of the user's
// orders, by order id.
func (u *user) shippingAddresses(ctx context.Context) (map[string]app.Address, error) {
	rows, err := u.tx.QueryContext(ctx, `SELECT id, shipping_address FROM orders WHERE user_id = $1`, u.id)
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
		a, err := decodeAddress(raw)
		if err != nil {
			return nil, fmt.Errorf("order %s %w", id, err)
		}
		out[id] = a
	}
	return out, rows.Err()
}
