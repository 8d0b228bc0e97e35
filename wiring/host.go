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
	"time"

	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/tracing"
)

// provideHost opens each module's database: the schema named after it on
// PostgreSQL when the configuration gives the module a URL, else the file
// <DataDir>/<name>.db.
func provideHost(cfg Config, logger *slog.Logger, tokens *auth.Tokens, keys *messaging.Keys) (*modular.Host, error) {
	if !cfg.checkSchemaOnly { // which creates nothing: it found the files first
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	open := func(name string) (*sqldb.DB, error) {
		url, ok := cfg.DatabaseURLs[name]
		if !ok || url.URL == "" {
			return sqldb.OpenSQLite(sqlitePath(cfg, name), sqldb.SQLiteOptions{})
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sqldb.OpenPostgres(ctx, url.URL, name, sqldb.PostgresOptions{MaxConns: cfg.DBMaxConns})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", url.Variable, err)
		}
		return db, nil
	}
	return &modular.Host{Open: open, Schema: append(messaging.Schema(), sqldb.Schema()), Tokens: tokens,
		Cursors:   cursor.NewSigner(tokens.DeriveKey(cursorKeyPurpose)),
		Expensive: cfg.ExpensiveRateLimit.Limit(), Logger: logger, Keys: keys, CheckOnly: cfg.checkSchemaOnly}, nil
}

// cursorKeyPurpose labels the pagination cursors' key, derived from the
// token signing secret: every instance and function that verifies the
// others' tokens shares that secret already, and it outlives restarts, so
// a cursor stays good wherever the next page is asked for. A key of its
// own (HKDF, see auth.Tokens.DeriveKey) keeps a cursor's MAC from ever
// serving as a token's, or the reverse.
const cursorKeyPurpose = "modmono pagination cursor v1"

// sqlitePath is the file of module name's database when it is on SQLite.
func sqlitePath(cfg Config, name string) string { return filepath.Join(cfg.DataDir, name+".db") }

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

// provideEventKeys signs and verifies events with EVENT_SIGNING_KEYS, or
// else (a server on the in-process bus, which passes events to itself
// only) with keys generated once and kept in the data directory, so that
// events in an outbox at a restart still verify.
func provideEventKeys(cfg Config, logger *slog.Logger) (*messaging.Keys, error) {
	if cfg.EventKeys != nil {
		return cfg.EventKeys, nil
	}
	path := filepath.Join(cfg.DataDir, "event-signing-keys")
	text, err := readLocalSecret(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && cfg.checkSchemaOnly:
		// A tool creates nothing: events it replays then fail as forged,
		// and stay in the poison queue.
		text, err = messaging.GenerateKeys("local", Modules...), nil
	case errors.Is(err, fs.ErrNotExist):
		text, err = writeLocalSecret(path, messaging.GenerateKeys("local", Modules...))
	}
	if err != nil {
		return nil, err
	}
	keys, err := messaging.ParseKeys(text)
	if err == nil {
		for _, m := range Modules {
			if !keys.Has(m) {
				err = fmt.Errorf("no key of %s", m)
				break
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w; delete the file to generate new keys", path, err)
	}
	logger.Debug("EVENT_SIGNING_KEYS is not set: signing events with keys generated in the data directory", "path", path)
	return keys, nil
}

// localSecret is the JWT signing secret kept in path, generated on first
// use.
func localSecret(path string) (string, error) {
	s, err := readLocalSecret(path)
	if errors.Is(err, fs.ErrNotExist) {
		s, err = writeLocalSecret(path, rand.Text()+rand.Text()) // 52 base32 characters, 260 random bits
	}
	if err == nil && len(s) < auth.MinSecretLen {
		err = fmt.Errorf("%s: secret shorter than %d bytes; delete the file to generate a new one", path, auth.MinSecretLen)
	}
	return s, err
}

// readLocalSecret reads the secret kept in path; fs.ErrNotExist says there
// is none yet.
func readLocalSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("read secret: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// writeLocalSecret keeps s in path, readable by its owner only, unless
// another process got there first: then it returns what that one kept.
func writeLocalSecret(path, s string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readLocalSecret(path)
	}
	if err != nil {
		return "", fmt.Errorf("write secret: %w", err)
	}
	_, err = f.WriteString(s + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write secret: %w", err)
	}
	return s, nil
}

// startTracing installs the tracer provider cfg asks for (sync: export
// each span at once, for functions); stop flushes and removes it.
func startTracing(ctx context.Context, cfg Config, logger *slog.Logger, sync bool) (stop func(), err error) {
	tc := cfg.Tracing
	tc.Sync = sync
	shutdown, err := tracing.Setup(ctx, tc)
	if err != nil {
		return nil, err
	}
	return func() {
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := shutdown(flushCtx); err != nil {
			logger.Warn("tracing: cannot flush spans", "error", err)
		}
	}, nil
}
