// Package store implements the orders Store port on SQLite and PostgreSQL:
// it opens the transactions, maps the domain to rows of the orders
// database (orders, the address replica, Idempotency-Key results), and
// writes the events the orders recorded to the module's outbox in the
// transaction that saves them.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// Store implements app.Store.
type Store struct {
	db     *sqldb.DB
	outbox *messaging.Outbox
}

var _ app.Store = (*Store)(nil)

// New returns the Store of db, publishing through outbox.
func New(db *sqldb.DB, outbox *messaging.Outbox) *Store {
	return &Store{db: db, outbox: outbox}
}

const orderColumns = `seq, id, user_id, status, items, total_cents, currency, shipping_address, created_at, updated_at`

// Order returns userID's order id.
func (s *Store) Order(ctx context.Context, userID, id string) (app.Order, error) {
	return orderByID(ctx, s.db.Read, userID, id)
}

// Orders returns up to limit of userID's orders older than beforeSeq
// (0: from the newest), newest first.
func (s *Store) Orders(ctx context.Context, userID string, beforeSeq int64, limit int) ([]app.Order, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	orders, err := queryOrders(ctx, s.db.Read, `WHERE user_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, userID, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return orders, nil
}

// UpdateOrder loads userID's order id in a write transaction, calls update
// on it, and saves it with its events when update returns nil.
func (s *Store) UpdateOrder(ctx context.Context, userID, id string, update func(*app.Order) error) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		o, err := orderByID(ctx, tx, userID, id)
		if err != nil {
			return err
		}
		if err := update(&o); err != nil {
			return err
		}
		return s.saveOrder(ctx, tx, o)
	})
}

// UpdateUser runs update in a write transaction holding userID's lock.
func (s *Store) UpdateUser(ctx context.Context, userID string, update func(ctx context.Context, u app.User) error) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		u, err := s.lock(ctx, tx, userID)
		if err != nil {
			return err
		}
		return update(ctx, u)
	})
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

// inTx is app.Users in a transaction someone else holds.
type inTx struct {
	s  *Store
	tx *sqldb.Tx
}

func (t inTx) Lock(ctx context.Context, userID string) (app.User, error) {
	return t.s.lock(ctx, t.tx, userID)
}

// UserDeleted reports whether the module applied userID's deletion.
func (s *Store) UserDeleted(ctx context.Context, userID string) (bool, error) {
	return isUserDeleted(ctx, s.db.Read, userID)
}

// saveOrder stores o's status and writes its events to the outbox.
func (s *Store) saveOrder(ctx context.Context, tx *sqldb.Tx, o app.Order) error {
	_, err := tx.ExecContext(ctx, `UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3`,
		o.Status, sqldb.Time(o.UpdatedAt), o.ID)
	if err != nil {
		return fmt.Errorf("set order %s %s: %w", o.ID, o.Status, err)
	}
	return s.publish(ctx, tx, o.Events())
}

func orderByID(ctx context.Context, q sqldb.Querier, userID, id string) (app.Order, error) {
	orders, err := queryOrders(ctx, q, `WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return app.Order{}, fmt.Errorf("read order %s: %w", id, err)
	}
	if len(orders) == 0 {
		return app.Order{}, app.ErrNotFound
	}
	return orders[0], nil
}

func queryOrders(ctx context.Context, q sqldb.Querier, where string, args ...any) ([]app.Order, error) {
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
	var items []itemJSON
	var rawItems, addr []byte
	if err := rows.Scan(&o.Seq, &o.ID, &o.UserID, &o.Status, &rawItems, &o.TotalCents, &o.Currency, &addr,
		(*sqldb.Time)(&o.CreatedAt), (*sqldb.Time)(&o.UpdatedAt)); err != nil {
		return o, err
	}
	if err := json.Unmarshal(rawItems, &items); err != nil {
		return o, fmt.Errorf("order %s items: %w", o.ID, err)
	}
	o.Items = toItems(items)
	a, err := decodeAddress(addr)
	if err != nil {
		return o, fmt.Errorf("order %s %w", o.ID, err)
	}
	o.ShippingAddress = a
	return o, nil
}

// ForgetIdempotencyKeys forgets the keys recorded before before.
func (s *Store) ForgetIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Write.ExecContext(ctx, sweepIdempotencyKeysSQL, sqldb.Time(before))
	if err != nil {
		return 0, fmt.Errorf("sweep idempotency keys: %w", err)
	}
	return res.RowsAffected()
}

func isUserDeleted(ctx context.Context, q sqldb.Querier, userID string) (bool, error) {
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
