package wiring

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"example.com/modmono/modules/notifications"
	"example.com/modmono/modules/orders"
	"example.com/modmono/modules/users"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqlitedb"
)

// catalog is the one list of modules, in start order: each module's name
// and the injector (wire.go) that builds it from its provider set. A new
// module is a line here and an injector there.
var catalog = []struct {
	name  string
	build func(*modular.Host, Config) (modular.Module, func(), error)
}{
	{users.Name, buildUsers},
	{orders.Name, buildOrders},
	{notifications.Name, buildNotifications},
}

// Modules names the modules of the catalog, in order.
var Modules = func() []string {
	names := make([]string, len(catalog))
	for i, c := range catalog {
		names[i] = c.name
	}
	return names
}()

// ModuleName names the one module a function wires.
type ModuleName string

// provideModules builds every module of the catalog.
func provideModules(host *modular.Host, cfg Config) ([]modular.Module, func(), error) {
	var all []modular.Module
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	for _, c := range catalog {
		m, closeModule, err := c.build(host, cfg)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		all, cleanups = append(all, m), append(cleanups, closeModule)
	}
	return all, cleanup, nil
}

// provideModule builds the module named name alone: only its database is
// opened.
func provideModule(host *modular.Host, cfg Config, name ModuleName) (modular.Module, func(), error) {
	for _, c := range catalog {
		if c.name == string(name) {
			return c.build(host, cfg)
		}
	}
	return nil, nil, fmt.Errorf("no module %q; the modules are %s", name, strings.Join(Modules, ", "))
}

// provideHost opens each module's database as <DataDir>/<name>.db.
func provideHost(cfg Config, logger *slog.Logger, tokens *auth.Tokens) (*modular.Host, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	open := func(name string) (*sqlitedb.DB, error) {
		return sqlitedb.Open(filepath.Join(cfg.DataDir, name+".db"), sqlitedb.Options{})
	}
	return &modular.Host{Open: open, Schema: messaging.Schema(), Tokens: tokens, Logger: logger}, nil
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
