package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/secrets/secretstest"
)

func TestRunRejectsUnknownArguments(t *testing.T) {
	err := run(context.Background(), []string{"dance"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("err = %v, want a usage error", err)
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	getenv := func(k string) string {
		if k == "PORT" {
			return "99999"
		}
		return ""
	}
	err := run(context.Background(), nil, getenv, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("err = %v, want one naming PORT", err)
	}
}

func TestRunEventsOnAMissingDatabaseFailsNamingItAndCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nonexistent")
	getenv := func(k string) string { return map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "warn"}[k] }
	err := run(context.Background(), []string{"events", "list"}, getenv, &bytes.Buffer{}, &bytes.Buffer{})
	if want := filepath.Join(dir, "users.db"); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("events list on a missing data directory: %v, want an error naming %s", err, want)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the command created %s (stat: %v)", dir, err)
	}
}

func TestRunEventsListsThePoisonQueuesAndNeverMigrates(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"DATA_DIR": dir, "JWT_SECRET": "main-test-secret-main-test-secret-0001", "LOG_LEVEL": "warn"}[k]
	}
	for _, m := range []string{"users", "orders", "notifications"} {
		if err := os.WriteFile(filepath.Join(dir, m+".db"), nil, 0o600); err != nil { // databases of no version
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"events", "list"}, getenv, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "start the server of this version first") {
		t.Fatalf("events on unmigrated databases: %v, want a refusal", err)
	}
	// A server of this version migrates; then the command reads.
	ctx, cancel := context.WithCancel(context.Background())
	port := fmt.Sprint(freePort(t))
	serve := func(k string) string {
		if k == "PORT" {
			return port
		}
		return getenv(k)
	}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, serve, &bytes.Buffer{}, &bytes.Buffer{}) }()
	if !waitReady("http://127.0.0.1:"+port+"/readyz", 30*time.Second) {
		t.Fatal("the server did not become ready")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"events", "list"}, getenv, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"users", "orders", "notifications"} {
		if !strings.Contains(out.String(), m+": 0 poisoned") {
			t.Errorf("the list does not show %s:\n%s", m, out.String())
		}
	}
	err = run(context.Background(), []string{"events"}, getenv, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "usage: modmono events") {
		t.Fatalf("events alone: %v, want its usage", err)
	}
}

func TestRunReadsSecretsBeforeTheConfiguration(t *testing.T) {
	store := secretstest.NewAWS(t)
	store.Setenv(t)
	store.PutParameter("/modmono/test/jwt-secret", "too-short") // what LoadConfig then refuses
	env := map[string]string{"APP_MODE": "lambda", "APP_MODULE": "users", "JWT_SECRET_SSM_PARAMETER": "/modmono/test/jwt-secret"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET: must be at least 32 bytes") || strings.Contains(err.Error(), "too-short") {
		t.Fatalf("err = %v, want LoadConfig to refuse the value read from SSM, without showing it", err)
	}
	if n := store.Reads("/modmono/test/jwt-secret"); n != 1 {
		t.Fatalf("the parameter was read %d times, want once", n)
	}
}

func TestRunStopsOnAMissingSecretNamingItsVariable(t *testing.T) {
	store := secretstest.NewAWS(t)
	store.Setenv(t)
	env := map[string]string{"APP_MODE": "lambda", "APP_MODULE": "orders", "DATABASE_URL_SECRET_ID": "modmono/test/orders/database-url"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "cannot read secrets") || !strings.Contains(err.Error(), "DATABASE_URL:") ||
		!strings.Contains(err.Error(), "modmono/test/orders/database-url") {
		t.Fatalf("err = %v, want a start-up error naming DATABASE_URL and its secret", err)
	}
}

// The docs command writes the generated documentation to the file it is
// given (what make docs does to docs/modules.md), reading no configuration:
// run from the repository's root, it is the committed file; wrong
// arguments get its usage and write nothing.
func TestRunDocsWritesTheModuleDocumentation(t *testing.T) {
	out := filepath.Join(t.TempDir(), "modules.md")
	badEnv := func(k string) string {
		if k == "PORT" {
			return "99999" // ignored: the command reads no configuration
		}
		return ""
	}
	if err := run(context.Background(), []string{"docs", out}, badEnv, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("docs", "modules.md"))
	if err != nil || !bytes.Equal(written, committed) {
		t.Errorf("modmono docs wrote %d bytes unlike docs/modules.md (%v): run make docs", len(written), err)
	}
	err = run(context.Background(), []string{"docs", "-o", out}, badEnv, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "usage: modmono docs") {
		t.Errorf("docs -o FILE: %v, want its usage", err)
	}
}
