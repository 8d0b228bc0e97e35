// Package users is the accounts module: sign-up, login, profile and address.
// It publishes the events in users/events and consumes none.
package users

import (
	_ "embed"
	"io/fs"

	"github.com/labstack/echo/v4"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/modules/users/internal/httpapi"
	"example.com/modmono/modules/users/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
)

// Name is the module's name: its database, its outbox producer, its
// migrations folder, its function.
const Name = "users"

// Config tunes the module.
type Config struct {
	// PasswordCost is the bcrypt cost of stored password hashes.
	PasswordCost int
}

//go:embed openapi.json
var openAPI []byte

// Module is what the wiring sees of users.
type Module struct {
	deps modular.Deps
	svc  *app.Service
}

var _ modular.Module = (*Module)(nil)

// New returns the module working on its own database.
func New(deps modular.Deps, cfg Config) (*Module, error) {
	outbox, err := messaging.NewOutbox(Name, deps.Keys)
	if err != nil {
		return nil, err
	}
	svc, err := app.New(store.New(deps.DB, outbox), deps.Tokens, cfg.PasswordCost)
	if err != nil {
		return nil, err
	}
	return &Module{deps: deps, svc: svc}, nil
}

// Name returns the module's name.
func (m *Module) Name() string { return Name }

// RegisterRoutes adds the module's endpoints to e.
func (m *Module) RegisterRoutes(e *echo.Echo) {
	httpapi.Routes(e, m.svc, m.deps.Tokens, m.deps.Expensive)
}

// Handlers returns the events the module consumes: none.
func (m *Module) Handlers() []messaging.Handler { return nil }

// Workers returns the module's background loops: none.
func (m *Module) Workers() []modular.Worker { return nil }

// Migrations is the history of the users schema.
func (m *Module) Migrations() sqldb.Migrations { return migrations.Of(Name) }

// Contracts are the contracts of the events the module publishes: its
// events package's schemas and AsyncAPI document.
func (m *Module) Contracts() fs.FS { return events.Contracts }

// OpenAPI is the module's part of the OpenAPI document: its paths and
// schemas.
func (m *Module) OpenAPI() []byte { return openAPI }

// DB is the module's own database.
func (m *Module) DB() *sqldb.DB { return m.deps.DB }
