// Package store maps users to rows of the users database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/sqldb"
)

// Store implements app.Store on SQLite.
type Store struct{}

var _ app.Store = Store{}

type querier = app.Querier

const columns = `id, email, name, password_hash, address_line1, address_line2, address_city,
address_postal_code, address_country, created_at`

// Insert stores a new user; a taken e-mail is app.ErrEmailTaken.
func (Store) Insert(ctx context.Context, q querier, u app.User) error {
	at := sqldb.Time(u.CreatedAt)
	_, err := q.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)`, u.ID, u.Email, u.Name, u.PasswordHash, at, at)
	switch {
	case sqldb.IsUniqueViolation(err):
		return app.ErrEmailTaken
	case err != nil:
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// ByID returns the user with id.
func (Store) ByID(ctx context.Context, q querier, id string) (app.User, error) {
	return scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM users WHERE id = $1`, id))
}

// Exists reports whether the user with id has an account.
func (Store) Exists(ctx context.Context, q querier, id string) (bool, error) {
	return exists(q.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`, id), "read user")
}

// ByEmail returns the user with email, exactly as stored.
func (Store) ByEmail(ctx context.Context, q querier, email string) (app.User, error) {
	return scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM users WHERE email = $1`, email))
}

// SetAddress replaces the address of user id.
func (Store) SetAddress(ctx context.Context, q querier, id string, a app.Address, at time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET address_line1 = $1, address_line2 = $2, address_city = $3,
address_postal_code = $4, address_country = $5, updated_at = $6 WHERE id = $7`,
		a.Line1, a.Line2, a.City, a.PostalCode, a.Country, sqldb.Time(at), id)
	return affectedOne(res, err, "set address")
}

// Delete removes user id.
func (Store) Delete(ctx context.Context, q querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
	return affectedOne(res, err, "delete user")
}

// affectedOne is app.ErrNotFound when the statement changed no row, and a
// database failure (never ErrNotFound) when it failed.
func affectedOne(res sql.Result, err error, what string) error {
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case n == 0:
		return app.ErrNotFound
	}
	return nil
}

func scan(row *sql.Row) (app.User, error) {
	var u app.User
	var line1, line2, city, postal, country sql.NullString
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &line1, &line2, &city, &postal, &country,
		(*sqldb.Time)(&u.CreatedAt))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return app.User{}, app.ErrNotFound
	case err != nil:
		return app.User{}, fmt.Errorf("read user: %w", err)
	}
	if line1.Valid {
		u.Address = &app.Address{Line1: line1.String, Line2: line2.String, City: city.String,
			PostalCode: postal.String, Country: country.String}
	}
	return u, nil
}

// exists reports whether row is there, and a database failure when the
// query failed.
func exists(row *sql.Row, what string) (bool, error) {
	var one int
	err := row.Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return true, nil
}
