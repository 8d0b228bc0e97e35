package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.com/modmono/platform/secrets"
	"example.com/modmono/platform/secrets/secretstest"
)

const (
	jwtValue = "jwt-secret-from-the-store-0123456789abcdef"
	dbValue  = "postgres://orders_svc:s3cret-password@db.internal:5432/shop"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveReadsEachSecretFromWhereItsVariableSaysOnce(t *testing.T) {
	fake := secretstest.NewAWS(t)
	fake.Setenv(t)
	fake.PutParameter("/modmono/prod/jwt-secret", jwtValue)
	fake.PutSecret("modmono/prod/orders-database-url", dbValue)
	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("users/k1=from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv, err := secrets.Resolve(context.Background(), envOf(map[string]string{
		"JWT_SECRET_SSM_PARAMETER": "/modmono/prod/jwt-secret",
		"DATABASE_URL_SECRET_ID":   "modmono/prod/orders-database-url",
		"EVENT_SIGNING_KEYS_FILE":  file,
		"PLAIN":                    "as set",
		"PORT":                     "8080",
	}), []string{"JWT_SECRET", "DATABASE_URL", "EVENT_SIGNING_KEYS", "PLAIN", "UNSET"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"JWT_SECRET": jwtValue, "DATABASE_URL": dbValue,
		"EVENT_SIGNING_KEYS": "users/k1=from-a-file", "PLAIN": "as set", "UNSET": "", "PORT": "8080"} {
		for range 3 {
			if got := getenv(name); got != want {
				t.Fatalf("%s = %q, want %q", name, got, want)
			}
		}
	}
	if n, m := fake.Reads("/modmono/prod/jwt-secret"), fake.Reads("modmono/prod/orders-database-url"); n != 1 || m != 1 {
		t.Fatalf("the parameter was read %d times and the secret %d, want once each", n, m)
	}
}

func TestResolveLeavesSettingsKeptInTheEnvironmentAsTheyAre(t *testing.T) {
	getenv, err := secrets.Resolve(context.Background(), envOf(map[string]string{"JWT_SECRET": "x"}), []string{"JWT_SECRET", "DATABASE_URL"})
	if err != nil || getenv("JWT_SECRET") != "x" || getenv("DATABASE_URL") != "" {
		t.Fatalf("getenv: %v", err)
	}
}

func TestResolveFailsNamingTheVariableAndNeverTheValue(t *testing.T) {
	fake := secretstest.NewAWS(t)
	fake.Setenv(t)
	fake.PutParameter("/modmono/prod/empty", "")
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"a missing parameter", map[string]string{"JWT_SECRET_SSM_PARAMETER": "/modmono/prod/missing"},
			[]string{"JWT_SECRET:", "/modmono/prod/missing", "JWT_SECRET_SSM_PARAMETER", "ParameterNotFound"}},
		{"a missing secret", map[string]string{"DATABASE_URL_SECRET_ID": "modmono/prod/missing"},
			[]string{"DATABASE_URL:", "modmono/prod/missing", "DATABASE_URL_SECRET_ID", "ResourceNotFoundException"}},
		{"a missing file", map[string]string{"EVENT_SIGNING_KEYS_FILE": "/nonexistent/keys"},
			[]string{"EVENT_SIGNING_KEYS:", "/nonexistent/keys", "EVENT_SIGNING_KEYS_FILE"}},
		{"an empty parameter", map[string]string{"JWT_SECRET_SSM_PARAMETER": "/modmono/prod/empty"},
			[]string{"JWT_SECRET:", "it is empty"}},
		{"a value and a store", map[string]string{"JWT_SECRET": jwtValue, "JWT_SECRET_SSM_PARAMETER": "/p"},
			[]string{"JWT_SECRET: set only one of JWT_SECRET, JWT_SECRET_SSM_PARAMETER"}},
		{"two stores", map[string]string{"DATABASE_URL_FILE": "/f", "DATABASE_URL_SECRET_ID": "s"},
			[]string{"DATABASE_URL: set only one of DATABASE_URL_FILE, DATABASE_URL_SECRET_ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := secrets.Resolve(context.Background(), envOf(tt.env), []string{"JWT_SECRET", "DATABASE_URL", "EVENT_SIGNING_KEYS"})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), jwtValue) {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

func TestResolveReportsEveryFailureAtOnce(t *testing.T) {
	fake := secretstest.NewAWS(t)
	fake.Setenv(t)
	_, err := secrets.Resolve(context.Background(), envOf(map[string]string{
		"JWT_SECRET_SSM_PARAMETER": "/a", "DATABASE_URL_SECRET_ID": "b"}), []string{"JWT_SECRET", "DATABASE_URL"})
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET:") || !strings.Contains(err.Error(), "DATABASE_URL:") {
		t.Fatalf("err = %v, want both variables named", err)
	}
}
