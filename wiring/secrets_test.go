package wiring_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/secrets/secretstest"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/wiring"
)

const (
	storedJWTSecret   = "jwt-secret-kept-in-ssm-0123456789abcdef"
	storedSigningKeys = "users/2026-12=users-signing-key-kept-in-secrets-manager-0001"
)

// coldStart starts the users function as a new Lambda execution environment
// does: its secrets read through env, the configuration loaded, the module
// wired. It returns the function's handler.
func coldStart(t *testing.T, env map[string]string) interface {
	Invoke(context.Context, []byte) ([]byte, error)
} {
	t.Helper()
	getenv, err := wiring.ResolveSecrets(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := wiring.LoadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	logger := logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON)
	f, cleanup, err := wiring.InitializeFunction(cfg, logger, wiring.ModuleName(cfg.Module))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return wiring.LambdaHandler(f, logger)
}

// httpV2 is aws-lambda-go's API Gateway HTTP API (v2) fixture, made a
// request to path.
func httpV2(t *testing.T, method, path, token, body string) []byte {
	ev := fixture(t, "apigw-v2-request-no-authorizer.json")
	ev["rawPath"], ev["rawQueryString"], ev["body"], ev["isBase64Encoded"] = path, "", body, false
	ev["requestContext"].(map[string]any)["http"].(map[string]any)["method"] = method
	headers := ev["headers"].(map[string]any)
	headers["content-type"] = "application/json"
	if token != "" {
		headers["authorization"] = "Bearer " + token
	}
	payload, _ := json.Marshal(ev)
	return payload
}

func invokeHTTP(t *testing.T, h interface {
	Invoke(context.Context, []byte) ([]byte, error)
}, payload []byte, want int) string {
	t.Helper()
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(out, &res); err != nil || res.StatusCode != want {
		t.Fatalf("status %d, want %d: %s", res.StatusCode, want, out)
	}
	return res.Body
}

func TestALambdaFunctionReadsItsSecretsFromTheStoreOncePerColdStart(t *testing.T) {
	store := secretstest.NewAWS(t)
	store.Setenv(t)
	store.PutParameter("/modmono/test/jwt-secret", storedJWTSecret)
	store.PutSecret("modmono/test/users/event-signing-keys", storedSigningKeys)
	env := map[string]string{
		"APP_MODE": "lambda", "APP_MODULE": "users", "DATA_DIR": t.TempDir(),
		"BCRYPT_COST": "4", "AUTH_RATE_LIMIT": "0", "LOG_LEVEL": "warn",
		"JWT_SECRET_SSM_PARAMETER":     "/modmono/test/jwt-secret",
		"EVENT_SIGNING_KEYS_SECRET_ID": "modmono/test/users/event-signing-keys",
	}
	reads := []string{"/modmono/test/jwt-secret", "modmono/test/users/event-signing-keys"}
	if os.Getenv("TEST_DATABASE_URL") != "" { // the module's database URL from the store too
		store.PutSecret("modmono/test/users/database-url", sqldbtest.PostgresURL(t))
		env["DATABASE_URL_SECRET_ID"] = "modmono/test/users/database-url"
		reads = append(reads, "modmono/test/users/database-url")
	}
	assertReads := func(want int) {
		t.Helper()
		for _, name := range reads {
			if n := store.Reads(name); n != want {
				t.Fatalf("%s was read %d times, want %d", name, n, want)
			}
		}
	}

	fn := coldStart(t, env)
	assertReads(1)
	invokeHTTP(t, fn, httpV2(t, "POST", "/v1/users", "", `{"email":"kept@example.com","password":"password123","name":"Kept"}`), 201)
	body := invokeHTTP(t, fn, httpV2(t, "POST", "/v1/auth/token", "", `{"email":"kept@example.com","password":"password123"}`), 200)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(body), &tok)
	if _, err := jwt.Parse(tok.AccessToken, func(*jwt.Token) (any, error) { return []byte(storedJWTSecret), nil },
		jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Fatalf("the token is not signed with the secret kept in SSM: %v", err)
	}
	invokeHTTP(t, fn, httpV2(t, "GET", "/v1/users/me", tok.AccessToken, ""), 200)
	assertReads(1) // invocations read nothing

	// A second execution environment reads them again, once.
	again := coldStart(t, env)
	assertReads(2)
	if me := invokeHTTP(t, again, httpV2(t, "GET", "/v1/users/me", tok.AccessToken, ""), 200); !strings.Contains(me, "kept@example.com") {
		t.Fatalf("me: %s", me)
	}
}

func TestALambdaFunctionWhoseSecretIsMissingDoesNotStart(t *testing.T) {
	store := secretstest.NewAWS(t)
	store.Setenv(t)
	env := map[string]string{"APP_MODE": "lambda", "APP_MODULE": "users",
		"JWT_SECRET_SSM_PARAMETER": "/modmono/test/no-such-parameter"}
	_, err := wiring.ResolveSecrets(context.Background(), func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET:") || !strings.Contains(err.Error(), "/modmono/test/no-such-parameter") {
		t.Fatalf("err = %v, want one naming JWT_SECRET and its parameter", err)
	}
}
