// Package store implements the users Store port on SQLite and PostgreSQL:
// it opens the transactions, maps users to rows of the users database, and
// writes the events the users recorded to the module's outbox in the
// transaction that saves them.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"example.com/modmono/modules/users/internal/app"
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

// Register stores the new user u and writes its events to the outbox; a
// taken e-mail is app.ErrEmailTaken.
func (s *Store) Register(ctx context.Context, u app.User) error {
	r := toRow(u)
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, r.Email, r.Name, r.PasswordHash, r.CreatedAt, r.UpdatedAt)
		switch {
		case sqldb.IsUniqueViolation(err):
			return app.ErrEmailTaken
		case err != nil:
			return fmt.Errorf("insert user: %w", err)
		}
		return s.publish(ctx, tx, u.Events())
	})
}

// User returns the user id.
func (s *Store) User(ctx context.Context, id string) (app.User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx, `SELECT `+columns+` FROM users WHERE id = $1`, id))
}

// ByEmail returns the user with email, exactly as stored.
func (s *Store) ByEmail(ctx context.Context, email string) (app.User, error) {
	return scanUser(s.db.Read.QueryRowContext(ctx, `SELECT `+columns+` FROM users WHERE email = $1`, email))
}

// Exists reports whether the user id has an account.
func (s *Store) Exists(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.db.Read.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`, id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read user: %w", err)
	}
	return true, nil
}

// UpdateUser loads the user id under its lock in a write transaction, calls
// update on it, and saves it with its events when update returns nil.
func (s *Store) UpdateUser(ctx context.Context, id string, update func(*app.User) error) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		u, err := lockUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := update(&u); err != nil {
			return err
		}
		if u.Deleted() {
			return errors.New("store: UpdateUser closed the account: that is Delete")
		}
		return s.save(ctx, tx, u)
	})
}

// Delete loads the user id under its lock in a write transaction, calls
// remove on it, and erases the account when remove returns nil, writing the
// user's events to the outbox.
func (s *Store) Delete(ctx context.Context, id string, remove func(*app.User) error) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		u, err := lockUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := remove(&u); err != nil {
			return err
		}
		if !u.Deleted() {
			return errors.New("store: Delete left the account open")
		}
		if err := erase(ctx, tx, id); err != nil {
			return err
		}
		return s.publish(ctx, tx, u.Events())
	})
}

// lockUser takes the user's lock in tx (sqldb.Dialect.LockKey), then loads
// the user: concurrent changes of one user apply one after the other, each
// seeing what the one before wrote.
func lockUser(ctx context.Context, tx *sqldb.Tx, id string) (app.User, error) {
	if err := tx.Dialect().LockKey(ctx, tx, "users/user/"+id); err != nil {
		return app.User{}, fmt.Errorf("lock user: %w", err)
	}
	return scanUser(tx.QueryRowContext(ctx, `SELECT `+columns+` FROM users WHERE id = $1`, id))
}

// save writes what a User's methods change: the address and when it
// changed, and the events they recorded.
func (s *Store) save(ctx context.Context, tx *sqldb.Tx, u app.User) error {
	r := toRow(u)
	res, err := tx.ExecContext(ctx, `UPDATE users SET address_line1 = $1, address_line2 = $2, address_city = $3,
address_postal_code = $4, address_country = $5, updated_at = $6 WHERE id = $7`,
		r.Line1, r.Line2, r.City, r.PostalCode, r.Country, r.UpdatedAt, r.ID)
	if err := affectedOne(res, err, "save user"); err != nil {
		return err
	}
	return s.publish(ctx, tx, u.Events())
}
