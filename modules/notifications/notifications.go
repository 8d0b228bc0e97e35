// Package notifications is the notifications module: it turns users and
// orders events into stored notifications, hands each to a Sender, and lets
// a user list their own. It publishes no events.
package notifications

import (
	"context"
	"log/slog"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/modules/notifications/internal/httpapi"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqlitedb"
)

// Name is the module's name: its database file and its migrations folder.
const Name = "notifications"

// Sender delivers notifications; see LogSender for the default.
type Sender = app.Sender

// Notification is what a Sender delivers.
type Notification = app.Notification

// LogSender delivers notifications as structured log lines.
type LogSender = app.LogSender

// Module is what the wiring sees of notifications.
type Module struct {
	svc    *app.Service
	tokens *auth.Tokens
	wake   chan struct{}
}

// New returns the module working on its own database db, delivering
// through sender.
func New(db *sqlitedb.DB, tokens *auth.Tokens, sender Sender, logger *slog.Logger) *Module {
	m := &Module{svc: app.New(db, sender, logger), tokens: tokens, wake: make(chan struct{}, 1)}
	db.OnCommit(func() {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	})
	return m
}

// Name returns the module's name.
func (m *Module) Name() string { return Name }

// RegisterRoutes adds the module's endpoints to e.
func (m *Module) RegisterRoutes(e *echo.Echo) { httpapi.Routes(e, m.svc, m.tokens) }

// Handlers returns the events the module consumes.
func (m *Module) Handlers() []messaging.Handler { return m.svc.Handlers() }

// Run hands stored notifications to the Sender until ctx is done.
func (m *Module) Run(ctx context.Context) error { return m.svc.Dispatch(ctx, m.wake) }
