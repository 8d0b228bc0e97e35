// Package testenv tells tests where the services they need run: PostgreSQL
// (TEST_DATABASE_URL) and NATS (TEST_NATS_URL).
package testenv

import (
	"os"
	"testing"
)

// Service returns the value of the environment variable that names a test
// service. Without it the test is skipped, unless REQUIRE_SERVICES=1 (as in
// CI), which makes the missing service a failure.
func Service(t testing.TB, variable string) string {
	t.Helper()
	v := os.Getenv(variable)
	if v != "" {
		return v
	}
	if os.Getenv("REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s is not set and REQUIRE_SERVICES=1", variable)
	}
	t.Skipf("%s is not set: skipping the test that needs it", variable)
	return ""
}
