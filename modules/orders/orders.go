// Package orders is the orders module: placing, reading and cancelling
// orders. It publishes the events in orders/events and consumes the users
// events it keeps a replica of each user's address from.
package orders

import (
	_ "embed"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/labstack/echo/v4"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/modules/orders/internal/httpapi"
	"example.com/modmono/modules/orders/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
)

// Name is the module's name: its database, its outbox producer, its
// migrations folder, its function.
const Name = "orders"

// Config tunes the module.
type Config struct {
	// IdempotencyKeyTTL is how long an Idempotency-Key's result is kept.
	// Default: 24h.
	IdempotencyKeyTTL time.Duration
	// MaxItems is the most lines an order may hold. Default: 100.
	MaxItems int
}

func (c *Config) setDefaults() {
	if c.IdempotencyKeyTTL <= 0 {
		c.IdempotencyKeyTTL = 24 * time.Hour
	}
	if c.MaxItems <= 0 {
		c.MaxItems = 100
	}
}

//go:embed openapi.json
var openAPI []byte

// Module is what the wiring sees of orders.
type Module struct {
	deps    modular.Deps
	cfg     Config
	svc     *app.Service
	openAPI []byte
}

var _ modular.Module = (*Module)(nil)

// New returns the module working on its own database.
func New(deps modular.Deps, cfg Config) (*Module, error) {
	cfg.setDefaults()
	outbox, err := messaging.NewOutbox(Name, deps.Keys)
	if err != nil {
		return nil, err
	}
	svc := app.New(store.New(deps.DB, outbox), cfg.MaxItems)
	doc, err := configuredOpenAPI(cfg)
	if err != nil {
		return nil, err
	}
	return &Module{deps: deps, cfg: cfg, svc: svc, openAPI: doc}, nil
}

// Name returns the module's name.
func (m *Module) Name() string { return Name }

// RegisterRoutes adds the module's endpoints to e.
func (m *Module) RegisterRoutes(e *echo.Echo) {
	httpapi.Routes(e, m.svc, m.deps.Tokens, m.deps.Cursors)
}

// Handlers returns the events the module consumes.
func (m *Module) Handlers() []messaging.Handler { return m.svc.Handlers() }

// Workers forgets expired Idempotency-Key results.
func (m *Module) Workers() []modular.Worker {
	return []modular.Worker{{Name: "idempotency key retention", Run: func(ctx context.Context) error {
		return sqldb.Retain(ctx, m.cfg.IdempotencyKeyTTL, m.deps.Logger, "idempotency keys", m.svc.ForgetIdempotencyKeys)
	}}}
}

// Migrations is the history of the orders schema.
func (m *Module) Migrations() sqldb.Migrations { return migrations.Of(Name) }

// Contracts are the contracts of the events the module publishes: its
// events package's schemas and AsyncAPI document.
func (m *Module) Contracts() fs.FS { return events.Contracts }

// OpenAPI is the module's part of the OpenAPI document: its paths and
// schemas, stating the limits this server is configured with.
func (m *Module) OpenAPI() []byte { return m.openAPI }

// configuredOpenAPI is openapi.json with cfg's limits in place of the
// defaults it is written with: the most lines an order may hold.
func configuredOpenAPI(cfg Config) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		return nil, fmt.Errorf("orders: openapi.json: %w", err)
	}
	items, ok := lookup(doc, "components", "schemas", "orders.PlaceOrder", "properties", "items")
	if !ok {
		return nil, errors.New("orders: openapi.json has no orders.PlaceOrder items to state ORDER_MAX_ITEMS in")
	}
	items["maxItems"] = cfg.MaxItems
	return json.Marshal(doc)
}

// lookup follows keys down through nested JSON objects.
func lookup(obj map[string]any, keys ...string) (map[string]any, bool) {
	for _, k := range keys {
		next, ok := obj[k].(map[string]any)
		if !ok {
			return nil, false
		}
		obj = next
	}
	return obj, true
}

// DB is the module's own database.
func (m *Module) DB() *sqldb.DB { return m.deps.DB }
