// Package users is the accounts module: sign-up, login, profile and address.
// It publishes the events in users/events and consumes none.
package users

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/modules/users/internal/httpapi"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqlitedb"
)

// Name is the module's name: its database file, its outbox producer, its
// migrations folder.
const Name = "users"

// Config tunes the module.
type Config struct {
	// PasswordCost is the bcrypt cost of stored password hashes.
	PasswordCost int
}

// Module is what the wiring sees of users.
type Module struct {
	svc    *app.Service
	tokens *auth.Tokens
}

// New returns the module working on its own database db.
func New(db *sqlitedb.DB, tokens *auth.Tokens, cfg Config) (*Module, error) {
	svc, err := app.New(db, messaging.NewOutbox(Name), tokens, cfg.PasswordCost)
	if err != nil {
		return nil, err
	}
	return &Module{svc: svc, tokens: tokens}, nil
}

// Name returns the module's name.
func (m *Module) Name() string { return Name }

// RegisterRoutes adds the module's endpoints to e.
func (m *Module) RegisterRoutes(e *echo.Echo) { httpapi.Routes(e, m.svc, m.tokens) }

// Handlers returns the events the module consumes: none.
func (m *Module) Handlers() []messaging.Handler { return nil }
