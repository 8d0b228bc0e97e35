// Package modular is the contract between a module and the wiring. Every
// module shows the wiring the same things (Module) and is built from the same
// things (Deps and a Config of its own), so that a new module is a copy of a
// folder and one line in the wiring's list.
package modular

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// Module is what every module shows the wiring.
type Module interface {
	// Name names the module: its database, its outbox producer, its
	// migrations folder, its function.
	Name() string
	// RegisterRoutes adds the module's endpoints to e.
	RegisterRoutes(e *echo.Echo)
	// Handlers are the events the module consumes (none is fine).
	Handlers() []messaging.Handler
	// Workers are the module's background loops (none is fine).
	Workers() []Worker
	// Migrations is the history of the schema the module owns.
	Migrations() sqldb.Migrations
	// OpenAPI is the module's fragment of the OpenAPI document: its
	// "paths" and "components" (see httpserver.OpenAPI).
	OpenAPI() []byte
	// DB is the module's own database: the wiring relays its outbox,
	// applies its events in it and checks it for readiness.
	DB() *sqldb.DB
}

// Worker is a background loop of a module. Run returns when ctx is done.
type Worker struct {
	Name string
	Run  func(ctx context.Context) error
}

// Deps is what the wiring hands every module's constructor.
type Deps struct {
	// DB is the module's own database, migrated; no other module's tables
	// are reachable through it.
	DB *sqldb.DB
	// Tokens verifies the bearer tokens of signed-in users.
	Tokens *auth.Tokens
	// Cursors signs and checks the cursors of paginated lists.
	Cursors *cursor.Signer
	// Expensive is the stricter rate limit for endpoints that cost much
	// CPU per request, such as password hashing.
	Expensive echo.MiddlewareFunc
	// Logger already names the module.
	Logger *slog.Logger
	// Keys sign the events the module writes to its outbox
	// (messaging.NewOutbox).
	Keys *messaging.Keys
}

// Host is what the wiring builds modules on.
type Host struct {
	// Open opens the named module's own database.
	Open func(name string) (*sqldb.DB, error)
	// Schema is what every module database carries besides the module's
	// own schema: the outbox, inbox and poison queue.
	Schema    []sqldb.Migrations
	Tokens    *auth.Tokens
	Cursors   *cursor.Signer
	Expensive echo.MiddlewareFunc
	Logger    *slog.Logger
	// Keys sign the events modules write and verify those they consume.
	Keys *messaging.Keys
	// CheckOnly makes Build refuse a database that lacks migrations
	// instead of migrating it: for tools that must not change the schema
	// under a running server.
	CheckOnly bool
}

// Migrations lists every history m's database carries.
func (h *Host) Migrations(m Module) []sqldb.Migrations {
	return append(slices.Clone(h.Schema), m.Migrations())
}

// Build opens the database of module name, builds the module on it with
// newModule and cfg, and migrates the database (with CheckOnly, checks that
// it needs no migration). The cleanup closes it.
// Each module's provider is one call of Build.
func Build[M Module, C any](h *Host, name string, cfg C, newModule func(Deps, C) (M, error)) (M, func(), error) {
	var zero M
	db, err := h.Open(name)
	if err != nil {
		return zero, nil, fmt.Errorf("module %s: %w", name, err)
	}
	expensive := h.Expensive
	if expensive == nil {
		expensive = func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	m, err := newModule(Deps{DB: db, Tokens: h.Tokens, Cursors: h.Cursors, Expensive: expensive,
		Logger: h.Logger.With("module", name), Keys: h.Keys}, cfg)
	if err == nil {
		prepare := migrate
		if h.CheckOnly {
			prepare = checkMigrated
		}
		err = prepare(db, h.Migrations(m))
	}
	if err != nil {
		db.Close()
		return zero, nil, fmt.Errorf("module %s: %w", name, err)
	}
	return m, func() { db.Close() }, nil
}

func migrate(db *sqldb.DB, histories []sqldb.Migrations) error {
	for _, m := range histories {
		if err := db.Migrate(context.Background(), m); err != nil {
			return err
		}
	}
	return nil
}

func checkMigrated(db *sqldb.DB, histories []sqldb.Migrations) error {
	for _, m := range histories {
		if err := db.CheckMigrated(context.Background(), m); err != nil {
			return fmt.Errorf("%w; start the server of this version first, which migrates it", err)
		}
	}
	return nil
}

// Ready checks that m's database answers, carries every migration the
// binary knows and takes a write: the readiness check of one module. Its
// errors are httpserver.NotReady, with a reason callers may read.
func (h *Host) Ready(ctx context.Context, m Module) error {
	if err := m.DB().Ping(ctx); err != nil {
		return httpserver.Unready("database does not answer", err)
	}
	for _, mig := range h.Migrations(m) {
		if err := m.DB().CheckMigrated(ctx, mig); err != nil {
			return httpserver.Unready("database is not migrated", err)
		}
	}
	if err := m.DB().CheckWritable(ctx); err != nil {
		return httpserver.Unready("database takes no writes", err)
	}
	return nil
}
