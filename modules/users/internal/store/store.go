// Package store keeps users in the users database.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/platform/sqlitedb"
)

// Querier is a *sql.DB or a *sql.Tx.
type Querier = sqlitedb.Querier

// ErrNotFound means no user matched.
var ErrNotFound = errors.New("user not found")

// Address is a stored postal address.
type Address struct {
	Line1, Line2, City, PostalCode, Country string
}

// User is a stored account.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Address      *Address
	CreatedAt    time.Time
}

const columns = `id, email, name, password_hash, address_line1, address_line2, address_city,
address_postal_code, address_country, created_at`

// Insert stores a new user; a taken e-mail is a unique violation.
func Insert(ctx context.Context, q Querier, u User) error {
	_, err := q.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)`, u.ID, u.Email, u.Name, u.PasswordHash, sqlitedb.Time(u.CreatedAt), sqlitedb.Time(u.CreatedAt))
	return err
}

// ByID returns the user with id.
func ByID(ctx context.Context, q Querier, id string) (User, error) {
	return scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM users WHERE id = ?`, id))
}

// ByEmail returns the user with email (already lower-cased).
func ByEmail(ctx context.Context, q Querier, email string) (User, error) {
	return scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM users WHERE email = ?`, email))
}

// SetAddress replaces the address of user id.
func SetAddress(ctx context.Context, q Querier, id string, a Address, at time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE users SET address_line1 = ?, address_line2 = ?, address_city = ?,
address_postal_code = ?, address_country = ?, updated_at = ? WHERE id = ?`,
		a.Line1, a.Line2, a.City, a.PostalCode, a.Country, sqlitedb.Time(at), id)
	return affectedOne(res, err)
}

// Delete removes user id.
func Delete(ctx context.Context, q Querier, id string) error {
	res, err := q.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	return affectedOne(res, err)
}

func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(ErrNotFound, err)
	}
	return nil
}

func scan(row *sql.Row) (User, error) {
	var u User
	var line1, line2, city, postal, country sql.NullString
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &line1, &line2, &city, &postal, &country, (*sqlitedb.Time)(&u.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("scan user: %w", err)
	}
	if line1.Valid {
		u.Address = &Address{line1.String, line2.String, city.String, postal.String, country.String}
	}
	return u, nil
}
