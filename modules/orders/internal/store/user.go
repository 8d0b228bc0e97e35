package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/sqldb"
)

// user is app.User: what the module holds about one user, in a
// transaction that holds the user's lock. Whether the user is deleted and
// their address replica are read together, once (see load): the lock keeps
// anyone else from changing them until the transaction ends.
type user struct {
	s  *Store
	tx *sqldb.Tx
	id string

	loaded  bool
	deleted bool
	replica app.Replica
}

// lock holds the lock on userID's data until tx ends. On PostgreSQL it
// travels with the transaction's next statement (sqldb.Dialect.LockKey).
func (s *Store) lock(ctx context.Context, tx *sqldb.Tx, userID string) (*user, error) {
	if err := tx.Dialect().LockKey(ctx, tx, "orders/user/"+userID); err != nil {
		return nil, fmt.Errorf("lock user: %w", err)
	}
	return &user{s: s, tx: tx, id: userID}, nil
}

// load reads, in one statement, whether the user is deleted and their
// address replica.
func (u *user) load(ctx context.Context) error {
	if u.loaded {
		return nil
	}
	var deleted int
	var addr []byte
	var at sql.NullString
	err := u.tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM deleted_users WHERE user_id = $1),
	(SELECT address FROM user_addresses WHERE user_id = $1), (SELECT updated_at FROM user_addresses WHERE user_id = $1)`,
		u.id).Scan(&deleted, &addr, &at)
	if err != nil {
		return fmt.Errorf("read user %s: %w", u.id, err)
	}
	u.deleted, u.replica = deleted > 0, app.Replica{}
	if addr != nil {
		if u.replica, err = toReplica(addr, at.String); err != nil {
			return fmt.Errorf("read address replica: %w", err)
		}
	}
	u.loaded = true
	return nil
}

func toReplica(addr []byte, at string) (app.Replica, error) {
	a, err := decodeAddress(addr)
	if err != nil {
		return app.Replica{}, err
	}
	var t time.Time
	if err := (*sqldb.Time)(&t).Scan(at); err != nil {
		return app.Replica{}, err
	}
	return app.Replica{Held: true, Address: a, UpdatedAt: t}, nil
}

func (u *user) Deleted(ctx context.Context) (bool, error) {
	err := u.load(ctx)
	return u.deleted, err
}

func (u *user) Replica(ctx context.Context) (app.Replica, error) {
	err := u.load(ctx)
	return u.replica, err
}

func (u *user) SaveReplica(ctx context.Context, r app.Replica) error {
	raw, err := encode(toAddressJSON(r.Address))
	if err == nil {
		_, err = u.tx.ExecContext(ctx, `INSERT INTO user_addresses (user_id, address, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at`,
			u.id, raw, sqldb.Time(r.UpdatedAt))
	}
	if err != nil {
		return fmt.Errorf("store address replica: %w", err)
	}
	u.replica = r
	return nil
}

func (u *user) MarkDeleted(ctx context.Context, at time.Time) error {
	_, err := u.tx.ExecContext(ctx, `INSERT INTO deleted_users (user_id, deleted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		u.id, sqldb.Time(at))
	if err != nil {
		return fmt.Errorf("mark user deleted: %w", err)
	}
	u.deleted = true
	return nil
}

func (u *user) OpenOrders(ctx context.Context) ([]app.Order, error) {
	orders, err := queryOrders(ctx, u.tx, `WHERE user_id = $1 AND status = $2 ORDER BY seq`, u.id, app.StatusPlaced)
	if err != nil {
		return nil, fmt.Errorf("list open orders: %w", err)
	}
	return orders, nil
}

func (u *user) SaveOrder(ctx context.Context, o app.Order) error {
	if o.UserID != u.id {
		return errors.New("store: saving another user's order")
	}
	return u.s.saveOrder(ctx, u.tx, o)
}
