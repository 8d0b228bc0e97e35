// Package store keeps orders, the address replica and idempotency keys in
// the orders database.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/platform/sqlitedb"
)

// Querier is a *sql.DB or a *sql.Tx.
type Querier = sqlitedb.Querier

// ErrNotFound means no row matched.
var ErrNotFound = errors.New("not found")

// Order statuses.
const (
	StatusPlaced    = "placed"
	StatusCancelled = "cancelled"
)

// Item is one order line.
type Item struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Order is a stored order.
type Order struct {
	Seq             int64     `json:"seq"`
	ID              string    `json:"id"`
	UserID          string    `json:"user_id"`
	Status          string    `json:"status"`
	Items           []Item    `json:"items"`
	TotalCents      int64     `json:"total_cents"`
	Currency        string    `json:"currency"`
	ShippingAddress Address   `json:"shipping_address"`
	CreatedAt       time.Time `json:"created_at"`
}

const orderColumns = `seq, id, user_id, status, items, total_cents, currency, shipping_address, created_at`

// Insert stores o and sets its Seq.
func Insert(ctx context.Context, q Querier, o *Order) error {
	items, err := json.Marshal(o.Items)
	if err != nil {
		return err
	}
	addr, err := json.Marshal(o.ShippingAddress)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO orders (id, user_id, status, items, total_cents, currency,
shipping_address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.UserID, o.Status, items, o.TotalCents, o.Currency, addr, sqlitedb.Time(o.CreatedAt), sqlitedb.Time(o.CreatedAt))
	if err != nil {
		return err
	}
	// seq is the INTEGER PRIMARY KEY, so the rowid. (RETURNING would cost a
	// temporary table per insert.)
	o.Seq, err = res.LastInsertId()
	return err
}

// ByID returns order id if userID owns it.
func ByID(ctx context.Context, q Querier, userID, id string) (Order, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return Order{}, err
	}
	orders, err := scanAll(rows)
	if err != nil {
		return Order{}, err
	}
	if len(orders) == 0 {
		return Order{}, ErrNotFound
	}
	return orders[0], nil
}

// ListByUser returns up to limit of userID's orders older than beforeSeq
// (0: from the newest), newest first.
func ListByUser(ctx context.Context, q Querier, userID string, beforeSeq int64, limit int) ([]Order, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	rows, err := q.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders
WHERE user_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`, userID, beforeSeq, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows)
}

// OpenByUser returns userID's orders that can still be cancelled.
func OpenByUser(ctx context.Context, q Querier, userID string) ([]Order, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders
WHERE user_id = ? AND status = ? ORDER BY seq`, userID, StatusPlaced)
	if err != nil {
		return nil, err
	}
	return scanAll(rows)
}

// SetStatus changes the status of order id.
func SetStatus(ctx context.Context, q Querier, id, status string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE orders SET status = ?, updated_at = ? WHERE id = ?`,
		status, sqlitedb.Time(at), id)
	return err
}

func scanAll(rows *sql.Rows) ([]Order, error) {
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		var items, addr []byte
		if err := rows.Scan(&o.Seq, &o.ID, &o.UserID, &o.Status, &items, &o.TotalCents, &o.Currency, &addr, (*sqlitedb.Time)(&o.CreatedAt)); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(items, &o.Items); err != nil {
			return nil, fmt.Errorf("order %s items: %w", o.ID, err)
		}
		if err := json.Unmarshal(addr, &o.ShippingAddress); err != nil {
			return nil, fmt.Errorf("order %s address: %w", o.ID, err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
