package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/sqldb"
)

// The store's format: a user is one row of the users table, written here
// and nowhere else. The address is five columns, NULL until the user sets
// one.

const columns = `id, email, name, password_hash, address_line1, address_line2, address_city,
address_postal_code, address_country, created_at, updated_at`

// row is a row of the users table, its columns in the order of columns.
type row struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Line1        sql.NullString
	Line2        sql.NullString
	City         sql.NullString
	PostalCode   sql.NullString
	Country      sql.NullString
	CreatedAt    sqldb.Time
	UpdatedAt    sqldb.Time
}

func toRow(u app.User) row {
	r := row{
		ID: u.ID, Email: u.Email, Name: u.Name, PasswordHash: u.PasswordHash,
		CreatedAt: sqldb.Time(u.CreatedAt), UpdatedAt: sqldb.Time(u.UpdatedAt),
	}
	if a := u.Address; a != nil {
		r.Line1, r.Line2, r.City = text(a.Line1), text(a.Line2), text(a.City)
		r.PostalCode, r.Country = text(a.PostalCode), text(a.Country)
	}
	return r
}

func toUser(r row) app.User {
	u := app.User{
		ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash,
		CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
	if r.Line1.Valid {
		u.Address = &app.Address{Line1: r.Line1.String, Line2: r.Line2.String, City: r.City.String,
			PostalCode: r.PostalCode.String, Country: r.Country.String}
	}
	return u
}

func text(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// scanUser reads the user of a query of columns; no row is app.ErrNotFound.
func scanUser(q *sql.Row) (app.User, error) {
	var r row
	err := q.Scan(&r.ID, &r.Email, &r.Name, &r.PasswordHash, &r.Line1, &r.Line2, &r.City, &r.PostalCode, &r.Country,
		&r.CreatedAt, &r.UpdatedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return app.User{}, app.ErrNotFound
	case err != nil:
		return app.User{}, fmt.Errorf("read user: %w", err)
	}
	return toUser(r), nil
}
