// Package orders is the orders module: placing, reading and cancelling
// orders. It publishes the events in orders/events and consumes the users
// events it keeps a replica of each user's address from.
package orders

import (
	"context"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/modules/orders/internal/httpapi"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqlitedb"
)

// Name is the module's name: its database file, its outbox producer, its
// migrations folder.
const Name = "orders"

// Config tunes the module.
type Config struct {
	// IdempotencyKeyTTL is how long an Idempotency-Key's result is kept.
	IdempotencyKeyTTL time.Duration
}

// Module is what the wiring sees of orders.
type Module struct {
	svc    *app.Service
	tokens *auth.Tokens
	cfg    Config
	logger *slog.Logger
}

// New returns the module working on its own database db.
func New(db *sqlitedb.DB, tokens *auth.Tokens, cfg Config, logger *slog.Logger) *Module {
	return &Module{svc: app.New(db, messaging.NewOutbox(Name)), tokens: tokens, cfg: cfg, logger: logger}
}

// Run forgets expired Idempotency-Key results until ctx is done.
func (m *Module) Run(ctx context.Context) error {
	return m.svc.ForgetIdempotencyKeys(ctx, m.cfg.IdempotencyKeyTTL, m.logger)
}

// Name returns the module's name.
func (m *Module) Name() string { return Name }

// RegisterRoutes adds the module's endpoints to e.
func (m *Module) RegisterRoutes(e *echo.Echo) { httpapi.Routes(e, m.svc, m.tokens) }

// Handlers returns the events the module consumes.
func (m *Module) Handlers() []messaging.Handler { return m.svc.Handlers() }
