package wiring

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications"
	"example.com/modmono/modules/orders"
	"example.com/modmono/modules/users"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqlitedb"
)

// module is the surface every module shows the wiring.
type module interface {
	RegisterRoutes(e *echo.Echo)
	Handlers() []messaging.Handler
}

// Unit is one module with the database the wiring opened for it.
type Unit struct {
	Name       string
	DB         *sqlitedb.DB
	Migrations []sqlitedb.Migrations
	Module     module
	// Run, when set, is a background worker of the module.
	Run func(ctx context.Context) error
}

// Distinct types so wire can tell the three units apart.
type (
	UsersUnit         Unit
	OrdersUnit        Unit
	NotificationsUnit Unit
)

// openModuleDB opens <DataDir>/<name>.db and applies the module's schema and
// the messaging schema (outbox, inbox, poison queue).
func openModuleDB(cfg Config, name string) (*sqlitedb.DB, []sqlitedb.Migrations, func(), error) {
	own, err := migrations.For(name)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, nil, nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := sqlitedb.Open(filepath.Join(cfg.DataDir, name+".db"), sqlitedb.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	all := append(messaging.Schema(), own)
	for _, m := range all {
		if err := db.Migrate(context.Background(), m); err != nil {
			db.Close()
			return nil, nil, nil, err
		}
	}
	return db, all, func() { db.Close() }, nil
}

func provideUsers(cfg Config, tokens *auth.Tokens) (UsersUnit, func(), error) {
	db, migs, closeDB, err := openModuleDB(cfg, users.Name)
	if err != nil {
		return UsersUnit{}, nil, err
	}
	m, err := users.New(db, tokens, users.Config{PasswordCost: cfg.PasswordCost})
	if err != nil {
		closeDB()
		return UsersUnit{}, nil, err
	}
	return UsersUnit{Name: users.Name, DB: db, Migrations: migs, Module: m}, closeDB, nil
}

func provideOrders(cfg Config, tokens *auth.Tokens, logger *slog.Logger) (OrdersUnit, func(), error) {
	db, migs, closeDB, err := openModuleDB(cfg, orders.Name)
	if err != nil {
		return OrdersUnit{}, nil, err
	}
	m := orders.New(db, tokens, orders.Config{IdempotencyKeyTTL: cfg.IdempotencyKeyTTL}, logger)
	return OrdersUnit{Name: orders.Name, DB: db, Migrations: migs, Module: m, Run: m.Run}, closeDB, nil
}

func provideNotifications(cfg Config, tokens *auth.Tokens, sender notifications.Sender, logger *slog.Logger) (NotificationsUnit, func(), error) {
	db, migs, closeDB, err := openModuleDB(cfg, notifications.Name)
	if err != nil {
		return NotificationsUnit{}, nil, err
	}
	m := notifications.New(db, tokens, sender, logger)
	return NotificationsUnit{Name: notifications.Name, DB: db, Migrations: migs, Module: m, Run: m.Run}, closeDB, nil
}

// ModuleName names the one module a function wires.
type ModuleName string

// provideUnit wires the module named name alone: only its database is opened.
func provideUnit(cfg Config, tokens *auth.Tokens, sender notifications.Sender, logger *slog.Logger, name ModuleName) (Unit, func(), error) {
	switch string(name) {
	case users.Name:
		u, cleanup, err := provideUsers(cfg, tokens)
		return Unit(u), cleanup, err
	case orders.Name:
		u, cleanup, err := provideOrders(cfg, tokens, logger)
		return Unit(u), cleanup, err
	case notifications.Name:
		u, cleanup, err := provideNotifications(cfg, tokens, sender, logger)
		return Unit(u), cleanup, err
	}
	return Unit{}, nil, fmt.Errorf("no module %q; the modules are %s", name, strings.Join(Modules, ", "))
}

// provideSender is the default notification Sender: a log line per notification.
func provideSender(logger *slog.Logger) notifications.Sender {
	return notifications.LogSender{Logger: logger}
}

// provideTokens signs with JWT_SECRET, or else with a secret generated once
// and kept in the data directory, so a local server works out of the box.
func provideTokens(cfg Config, logger *slog.Logger) (*auth.Tokens, error) {
	secret := cfg.JWTSecret
	if secret == "" {
		path := filepath.Join(cfg.DataDir, "jwt-secret")
		var err error
		if secret, err = localSecret(path); err != nil {
			return nil, err
		}
		logger.Warn("JWT_SECRET is not set: signing tokens with a generated secret kept in the data directory; set JWT_SECRET in production",
			"path", path)
	}
	return auth.NewTokens([]byte(secret), cfg.TokenTTL)
}

func localSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < auth.MinSecretLen {
			return "", fmt.Errorf("%s: secret shorter than %d bytes; delete the file to generate a new one", path, auth.MinSecretLen)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read signing secret: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	s := rand.Text() + rand.Text() // 52 base32 characters, 260 random bits
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write signing secret: %w", err)
	}
	return s, nil
}
