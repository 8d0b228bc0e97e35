package wiring_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

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
		cfg.LogLevel != slog.LevelInfo || cfg.PasswordCost != 10 || cfg.JWTSecret != "" {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestConfigReadsTheEnvironment(t *testing.T) {
	cfg, err := wiring.LoadConfig(env(map[string]string{
		"PORT": "9090", "DATA_DIR": "/var/lib/app", "TOKEN_TTL": "15m", "LOG_LEVEL": "debug", "LOG_FORMAT": "TEXT",
		"JWT_SECRET": strings.Repeat("s", 32), "RELAY_POLL_INTERVAL": "500ms", "CONSUMER_MAX_RETRIES": "7",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 9090 || cfg.DataDir != "/var/lib/app" || cfg.TokenTTL != 15*time.Minute || cfg.LogLevel != slog.LevelDebug ||
		cfg.LogFormat != "text" || cfg.RelayPoll != 500*time.Millisecond || cfg.MaxRetries != 7 {
		t.Fatalf("config: %+v", cfg)
	}
}

func TestConfigNamesEveryBadVariable(t *testing.T) {
	_, err := wiring.LoadConfig(env(map[string]string{
		"PORT": "http", "TOKEN_TTL": "forever", "BCRYPT_COST": "99", "LOG_LEVEL": "loud", "LOG_FORMAT": "xml",
		"JWT_SECRET": "short", "MAX_BODY_BYTES": "-1", "SHUTDOWN_TIMEOUT": "0s", "RELAY_POLL_INTERVAL": "1ns",
		"CONSUMER_MAX_RETRIES": "0",
	}))
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, name := range []string{"PORT", "TOKEN_TTL", "BCRYPT_COST", "LOG_LEVEL", "LOG_FORMAT", "JWT_SECRET",
		"MAX_BODY_BYTES", "SHUTDOWN_TIMEOUT", "RELAY_POLL_INTERVAL", "CONSUMER_MAX_RETRIES"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("the error does not name %s:\n%v", name, err)
		}
	}
}
