// Package store maps the orders domain to rows of the orders database:
// orders, the address replica and idempotency keys.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/sqldb"
)

// Store implements app.Store on SQLite and PostgreSQL.
type Store struct {
	Dialect sqldb.Dialect
}

var _ app.Store = Store{}

type querier = app.Querier

const orderColumns = `seq, id, user_id, status, items, total_cents, currency, shipping_address, created_at`

// Insert stores o, unless its user is deleted: then the database refuses
// it (a trigger, see the migrations), and the transaction fails with
// app.ErrUserDeleted. In a *sqldb.Tx on PostgreSQL the insert waits to
// travel with the transaction's next statement or its commit
// (sqldb.ExecLaterAs), which is where an error shows: placing an order
// takes one round trip.
func (Store) Insert(ctx context.Context, q querier, o app.Order) error {
	items, addr, err := marshalValues(o)
	if err != nil {
		return fmt.Errorf("insert order %s: %w", o.ID, err)
	}
	at := sqldb.Time(o.CreatedAt)
	return sqldb.ExecLaterAs(ctx, q, func(err error) error {
		if sqldb.IsTriggerRefusal(err, "orders_user_deleted") {
			return app.ErrUserDeleted
		}
		return fmt.Errorf("insert order %s: %w", o.ID, err)
	}, `INSERT INTO orders (id, user_id, status, items, total_cents, currency, shipping_address, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		o.ID, o.UserID, o.Status, items, o.TotalCents, o.Currency, addr, at, at)
}

// marshalValues encodes an order's immutable value objects as JSON, as
// strings: a TEXT column takes them in every pgx query mode, where []byte
// would be sent as bytea (hex) when the statement is not prepared first (as
// behind a transaction pooler).
func marshalValues(o app.Order) (items, addr string, err error) {
	i, err := json.Marshal(o.Items)
	if err != nil {
		return "", "", err
	}
	a, err := json.Marshal(o.ShippingAddress)
	return string(i), string(a), err
}

// ByID returns order id if userID owns it.
func (Store) ByID(ctx context.Context, q querier, userID, id string) (app.Order, error) {
	orders, err := queryOrders(ctx, q, `WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return app.Order{}, fmt.Errorf("read order %s: %w", id, err)
	}
	if len(orders) == 0 {
		return app.Order{}, app.ErrNotFound
	}
	return orders[0], nil
}

// ListByUser returns up to limit of userID's orders older than beforeSeq
// (0: from the newest), newest first.
func (Store) ListByUser(ctx context.Context, q querier, userID string, beforeSeq int64, limit int) ([]app.Order, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	orders, err := queryOrders(ctx, q, `WHERE user_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, userID, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return orders, nil
}

// OpenByUser returns userID's orders that can still be cancelled.
func (Store) OpenByUser(ctx context.Context, q querier, userID string) ([]app.Order, error) {
	orders, err := queryOrders(ctx, q, `WHERE user_id = $1 AND status = $2 ORDER BY seq`, userID, app.StatusPlaced)
	if err != nil {
		return nil, fmt.Errorf("list open orders: %w", err)
	}
	return orders, nil
}

// SetStatus changes the status of order id.
func (Store) SetStatus(ctx context.Context, q querier, id, status string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3`,
		status, sqldb.Time(at), id)
	if err != nil {
		return fmt.Errorf("set order %s %s: %w", id, status, err)
	}
	return nil
}

func queryOrders(ctx context.Context, q querier, where string, args ...any) ([]app.Order, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func scanOrder(rows *sql.Rows) (app.Order, error) {
	var o app.Order
	var items, addr []byte
	if err := rows.Scan(&o.Seq, &o.ID, &o.UserID, &o.Status, &items, &o.TotalCents, &o.Currency, &addr,
		(*sqldb.Time)(&o.CreatedAt)); err != nil {
		return o, err
	}
	if err := json.Unmarshal(items, &o.Items); err != nil {
		return o, fmt.Errorf("order %s items: %w", o.ID, err)
	}
	if err := json.Unmarshal(addr, &o.ShippingAddress); err != nil {
		return o, fmt.Errorf("order %s address: %w", o.ID, err)
	}
	return o, nil
}
