package wiring_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.com/modmono/modules/notifications"
	"example.com/modmono/modules/users"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/wiring"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigDefaultsNeedNoEnvironment(t *testing.T) {
	cfg, err := wiring.LoadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 8080 || cfg.Addr() != ":8080" || cfg.DataDir != "./data" || cfg.TokenTTL != time.Hour ||
		cfg.LogLevel != slog.LevelInfo || cfg.ModuleConfigs[users.Name].(users.Config).PasswordCost != 10 || cfg.JWTSecret != "" || cfg.PoisonRetention != 336*time.Hour {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestConfigReadsTheEnvironment(t *testing.T) {
	cfg, err := wiring.LoadConfig(env(map[string]string{
		"PORT": "9090", "DATA_DIR": "/var/lib/app", "TOKEN_TTL": "15m", "LOG_LEVEL": "debug", "LOG_FORMAT": "TEXT",
		"JWT_SECRET": strings.Repeat("s", 32), "RELAY_POLL_INTERVAL": "500ms", "CONSUMER_MAX_RETRIES": "7",
		"POISON_RETENTION": "48h", "METRICS_ADDR": "127.0.0.1:9091",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 9090 || cfg.DataDir != "/var/lib/app" || cfg.TokenTTL != 15*time.Minute || cfg.LogLevel != slog.LevelDebug ||
		cfg.LogFormat != "text" || cfg.RelayPoll != 500*time.Millisecond || cfg.MaxRetries != 7 ||
		cfg.PoisonRetention != 48*time.Hour || cfg.MetricsAddr != "127.0.0.1:9091" {
		t.Fatalf("config: %+v", cfg)
	}
}

func TestConfigPutsMetricsOnThePublicPortOnlyWhenAsked(t *testing.T) {
	for value, want := range map[string]string{"": "", "Public": wiring.MetricsOnPublicPort, "127.0.0.1:9090": "127.0.0.1:9090"} {
		cfg, err := wiring.LoadConfig(env(map[string]string{"METRICS_ADDR": value}))
		if err != nil || cfg.MetricsAddr != want {
			t.Errorf("METRICS_ADDR=%q: %q, %v; want %q", value, cfg.MetricsAddr, err, want)
		}
	}
}

func TestConfigNamesEveryBadVariable(t *testing.T) {
	_, err := wiring.LoadConfig(env(map[string]string{
		"PORT": "http", "TOKEN_TTL": "forever", "BCRYPT_COST": "99", "LOG_LEVEL": "loud", "LOG_FORMAT": "xml",
		"JWT_SECRET": "short", "MAX_BODY_BYTES": "-1", "SHUTDOWN_TIMEOUT": "0s", "RELAY_POLL_INTERVAL": "1ns",
		"CONSUMER_MAX_RETRIES": "0", "RATE_LIMIT": "fast", "AUTH_RATE_LIMIT": "-1", "HTTP_READ_TIMEOUT": "0s",
		"HTTP_MAX_HEADER_BYTES": "10", "CLIENT_IP_HEADER": "X-Client", "TRUSTED_PROXIES": "10.0.0.0/99", "ORDER_MAX_ITEMS": "0",
		"DATABASE_URL": "mysql://db/app", "ORDERS_DATABASE_URL": "postgres://u:secret@h:99999/db", "DB_MAX_CONNS": "0",
		"BUS": "kafka", "NATS_STREAM": "a.b", "NATS_ACK_WAIT": "1ms", "POISON_RETENTION": "30m",
		"METRICS_ADDR": "9090",
	}))
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, name := range []string{"PORT", "TOKEN_TTL", "BCRYPT_COST", "LOG_LEVEL", "LOG_FORMAT", "JWT_SECRET",
		"MAX_BODY_BYTES", "SHUTDOWN_TIMEOUT", "RELAY_POLL_INTERVAL", "CONSUMER_MAX_RETRIES", "RATE_LIMIT", "AUTH_RATE_LIMIT",
		"HTTP_READ_TIMEOUT", "HTTP_MAX_HEADER_BYTES", "CLIENT_IP_HEADER", "TRUSTED_PROXIES", "ORDER_MAX_ITEMS",
		"DATABASE_URL", "ORDERS_DATABASE_URL", "DB_MAX_CONNS", "BUS", "NATS_STREAM", "NATS_ACK_WAIT", "POISON_RETENTION",
		"METRICS_ADDR"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("the error does not name %s:\n%v", name, err)
		}
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("the error shows a password:\n%v", err)
	}
}

func TestConfigRefusesAClientIPHeaderWithoutTrustedProxies(t *testing.T) {
	_, err := wiring.LoadConfig(env(map[string]string{"CLIENT_IP_HEADER": "X-Forwarded-For"}))
	if err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES:") {
		t.Fatalf("CLIENT_IP_HEADER without TRUSTED_PROXIES: %v, want an error naming TRUSTED_PROXIES", err)
	}
	if _, err := wiring.LoadConfig(env(map[string]string{"CLIENT_IP_HEADER": "X-Forwarded-For", "TRUSTED_PROXIES": "10.0.0.0/8"})); err != nil {
		t.Errorf("with TRUSTED_PROXIES: %v", err)
	}
}

func TestConfigGivesEachModuleItsDatabase(t *testing.T) {
	cfg, err := wiring.LoadConfig(env(map[string]string{
		"DATABASE_URL":        "postgres://app@db/shop",
		"ORDERS_DATABASE_URL": "postgresql://orders@db/shop",
		"BUS":                 "nats", "NATS_URL": "nats://bus:4222",
		"EVENT_SIGNING_KEYS": messagingtest.KeysText,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]wiring.DatabaseURL{
		"users":         {URL: "postgres://app@db/shop", Variable: "DATABASE_URL"},
		"orders":        {URL: "postgresql://orders@db/shop", Variable: "ORDERS_DATABASE_URL"},
		"notifications": {URL: "postgres://app@db/shop", Variable: "DATABASE_URL"},
	}
	for m, w := range want {
		if cfg.DatabaseURLs[m] != w {
			t.Errorf("%s: %+v, want %+v", m, cfg.DatabaseURLs[m], w)
		}
	}
	if cfg.BusKind != "nats" || cfg.Bus.URL != "nats://bus:4222" || cfg.Bus.Stream != "modmono" {
		t.Errorf("bus: %s %+v", cfg.BusKind, cfg.Bus)
	}
	if _, err := wiring.LoadConfig(env(map[string]string{"BUS": "nats"})); err == nil || !strings.Contains(err.Error(), "NATS_URL:") {
		t.Errorf("BUS=nats without NATS_URL: %v", err)
	}
}

func TestConfigSelectsTheMode(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		mode   wiring.Mode
		module string
	}{
		{"server by default", nil, wiring.ModeServer, ""},
		{"lambda under the Lambda runtime", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "APP_MODULE": "orders"}, wiring.ModeLambda, "orders"},
		{"gcf under the Functions Framework, module from the target", map[string]string{"FUNCTION_TARGET": "notifications-events"}, wiring.ModeGCF, "notifications"},
		{"explicit mode wins", map[string]string{"APP_MODE": "lambda", "APP_MODULE": "users"}, wiring.ModeLambda, "users"},
		{"explicit server even under a runtime", map[string]string{"APP_MODE": "server", "AWS_LAMBDA_RUNTIME_API": "x"}, wiring.ModeServer, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"EVENT_SIGNING_KEYS": messagingtest.KeysText}
			for k, v := range tc.env {
				vars[k] = v
			}
			cfg, err := wiring.LoadConfig(env(vars))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Mode != tc.mode || cfg.Module != tc.module {
				t.Fatalf("mode %q module %q", cfg.Mode, cfg.Module)
			}
		})
	}
}

func TestAFunctionWithoutAValidModuleDoesNotStart(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"APP_MODULE":      {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"},
		"APP_MODULE:":     {"APP_MODE": "lambda", "APP_MODULE": "billing"},
		"FUNCTION_TARGET": {"FUNCTION_TARGET": "billing-events"},
	} {
		_, err := wiring.LoadConfig(env(vars))
		if err == nil || !strings.Contains(err.Error(), strings.TrimSuffix(name, ":")+":") ||
			!strings.Contains(err.Error(), "users, orders, notifications") {
			t.Errorf("%v: err = %v, want one naming %s and the valid modules", vars, err, name)
		}
	}
}

// NOTIFY_WEBHOOK_URL sends notifications to a webhook, whose settings are
// checked without showing the URL (it often carries a token); without it
// notifications are log lines and a signing secret has nothing to sign.
func TestConfigReadsTheNotificationWebhook(t *testing.T) {
	cfg, err := wiring.LoadConfig(env(map[string]string{"NOTIFY_WEBHOOK_URL": "https://hooks.example.com/n?token=tok3n",
		"NOTIFY_WEBHOOK_SECRET": "s3cret", "NOTIFY_WEBHOOK_TIMEOUT": "2s", "NOTIFY_WEBHOOK_BREAKER_FAILURES": "3",
		"NOTIFY_WEBHOOK_BREAKER_OPEN": "1m"}))
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.ModuleConfigs[notifications.Name].(notifications.Config).Webhook; w.URL != "https://hooks.example.com/n?token=tok3n" || w.Secret != "s3cret" ||
		w.Timeout != 2*time.Second || w.Failures != 3 || w.OpenFor != time.Minute {
		t.Errorf("webhook config %+v", w)
	}
	_, err = wiring.LoadConfig(env(map[string]string{"NOTIFY_WEBHOOK_URL": "hooks.example.com/n?token=tok3n",
		"NOTIFY_WEBHOOK_TIMEOUT": "1h", "NOTIFY_WEBHOOK_BREAKER_FAILURES": "0", "NOTIFY_WEBHOOK_BREAKER_OPEN": "1ms"}))
	for _, name := range []string{"NOTIFY_WEBHOOK_URL:", "NOTIFY_WEBHOOK_TIMEOUT:", "NOTIFY_WEBHOOK_BREAKER_FAILURES:", "NOTIFY_WEBHOOK_BREAKER_OPEN:"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s %v", name, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "tok3n") {
		t.Errorf("the error shows the webhook's token: %v", err)
	}
	_, err = wiring.LoadConfig(env(map[string]string{"NOTIFY_WEBHOOK_SECRET": "s3cret"}))
	if err == nil || !strings.Contains(err.Error(), "NOTIFY_WEBHOOK_SECRET:") {
		t.Errorf("a secret without a webhook: %v, want an error naming NOTIFY_WEBHOOK_SECRET", err)
	}
	cfg, err = wiring.LoadConfig(env(nil))
	if err != nil || cfg.ModuleConfigs[notifications.Name].(notifications.Config).Webhook.URL != "" {
		t.Errorf("by default: %v, webhook %q; want none (log lines)", err, cfg.ModuleConfigs[notifications.Name].(notifications.Config).Webhook.URL)
	}
}
