// Package notifications is the notifications module: it turns users and
// orders events into stored notifications, hands each to a Sender, and lets
// a user list their own. It publishes no events.
package notifications

import (
	_ "embed"

	"context"

	"github.com/labstack/echo/v4"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/modules/notifications/internal/httpapi"
	"example.com/modmono/modules/notifications/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
)

// Name is the module's name: its database, its migrations folder, its
// function.
const Name = "notifications"

// Sender delivers notifications; see LogSender for the default.
type Sender = app.Sender

// Notification is what a Sender delivers.
type Notification = app.Notification

// LogSender delivers notifications as structured log lines.
type LogSender = app.LogSender

// Config tunes the module.
type Config struct {
	// Sender delivers stored notifications. Default: a LogSender on the
	// module's logger.
	Sender Sender
}

//go:embed openapi.json
var openAPI []byte

// Module is what the wiring sees of notifications.
type Module struct {
	deps modular.Deps
	svc  *app.Service
	wake chan struct{}
}

var _ modular.Module = (*Module)(nil)

// New returns the module working on its own database.
func New(deps modular.Deps, cfg Config) (*Module, error) {
	if cfg.Sender == nil {
		cfg.Sender = LogSender{Logger: deps.Logger}
	}
	m := &Module{deps: deps, svc: app.New(deps.DB, store.Store{Dialect: deps.DB.Dialect()}, cfg.Sender, deps.Logger), wake: make(chan struct{}, 1)}
	// This process's commits wake the Sender; notifications stored by other
	// processes wait for its poll.
	deps.DB.OnCommit(func() {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	})
	return m, nil
}

// Name returns the module's name.
func (m *Module) Name() string { return Name }

// RegisterRoutes adds the module's endpoints to e.
func (m *Module) RegisterRoutes(e *echo.Echo) {
	httpapi.Routes(e, m.svc, m.deps.Tokens, m.deps.Cursors)
}

// Handlers returns the events the module consumes.
func (m *Module) Handlers() []messaging.Handler { return m.svc.Handlers() }

// Workers hands stored notifications to the Sender.
func (m *Module) Workers() []modular.Worker {
	return []modular.Worker{{Name: "sender", Run: func(ctx context.Context) error {
		return m.svc.Dispatch(ctx, m.wake)
	}}}
}

// Migrations is the history of the notifications schema.
func (m *Module) Migrations() sqldb.Migrations { return migrations.Of(Name) }

// OpenAPI is the module's part of the OpenAPI document: its paths and
// schemas.
func (m *Module) OpenAPI() []byte { return openAPI }

// DB is the module's own database.
func (m *Module) DB() *sqldb.DB { return m.deps.DB }
