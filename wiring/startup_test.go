package wiring_test

import (
	"net/url"
	"strings"
	"testing"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/testenv"
	"example.com/modmono/wiring"
)

// A server that cannot reach what its configuration names does not start,
// and says which variable to fix.
func TestStartUpErrorsNameTheVariable(t *testing.T) {
	pg := sqldbtest.PostgresURL(t)
	testenv.Service(t, "TEST_NATS_URL")
	noRole, _ := url.Parse(pg)
	noRole.User = url.UserPassword("nobody_here", "wrong-password")
	noDB, _ := url.Parse(pg)
	noDB.Path = "/no_such_database"
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"database unreachable", []string{"DATABASE_URL", "postgres://postgres@127.0.0.1:1/app?connect_timeout=2"}, "DATABASE_URL:"},
		{"unknown role and password", []string{"ORDERS_DATABASE_URL", noRole.String()}, "ORDERS_DATABASE_URL:"},
		{"no such database", []string{"DATABASE_URL", noDB.String()}, "DATABASE_URL:"},
		{"NATS down", []string{"BUS", "nats", "NATS_URL", "nats://127.0.0.1:1"}, "NATS_URL:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, t.TempDir(), tc.env...)
			_, cleanup, err := wiring.InitializeServer(cfg, logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON))
			if err == nil {
				cleanup()
				t.Fatal("the server started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, strings.TrimSuffix(tc.want, ":"))
			}
			if strings.Contains(err.Error(), "wrong-password") {
				t.Errorf("error %q shows the password", err)
			}
			t.Log(err)
		})
	}
}
