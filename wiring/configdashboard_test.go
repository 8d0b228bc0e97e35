package wiring_test

import (
	"strings"
	"testing"

	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/wiring"
)

func TestTheDashboardIsOnByDefaultOnlyOnTheEmbeddedDefaults(t *testing.T) {
	keys := messagingtest.KeysFor(wiring.Modules...)
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"go run . on its embedded defaults", nil, wiring.DashboardDefaultAddr},
		{"the embedded defaults on another port", map[string]string{"PORT": "8181"}, wiring.DashboardDefaultAddr},
		{"turned off", map[string]string{"DEV_DASHBOARD_ADDR": "off"}, ""},
		{"a data directory (the image sets one)", map[string]string{"DATA_DIR": "/data"}, ""},
		{"a token secret", map[string]string{"JWT_SECRET": strings.Repeat("s", 32)}, ""},
		{"event signing keys", map[string]string{"EVENT_SIGNING_KEYS": keys}, ""},
		{"PostgreSQL", map[string]string{"DATABASE_URL": "postgres://u@db/app"}, ""},
		{"NATS", map[string]string{"BUS": "nats", "NATS_URL": "nats://n:4222", "EVENT_SIGNING_KEYS": keys}, ""},
		{"a configured server that asks for it", map[string]string{"DATA_DIR": "/data", "DEV_DASHBOARD_ADDR": "127.0.0.1:9500"}, "127.0.0.1:9500"},
		{"elsewhere, with a token", map[string]string{"DEV_DASHBOARD_ADDR": "0.0.0.0:9400", "DEV_DASHBOARD_TOKEN": strings.Repeat("t", 16)}, "0.0.0.0:9400"},
		{"a Lambda function", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "APP_MODULE": "orders", "EVENT_SIGNING_KEYS": keys}, ""},
		{"a Cloud Function", map[string]string{"FUNCTION_TARGET": "orders", "EVENT_SIGNING_KEYS": keys}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := wiring.LoadConfig(env(tc.vars))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Dashboard.Addr != tc.want {
				t.Errorf("dashboard at %q; want %q", cfg.Dashboard.Addr, tc.want)
			}
			if byDefault := tc.want != "" && tc.vars["DEV_DASHBOARD_ADDR"] == ""; cfg.DashboardByDefault != byDefault {
				t.Errorf("DashboardByDefault %v; want %v", cfg.DashboardByDefault, byDefault)
			}
		})
	}
}

func TestTheDashboardRefusesWhatWouldExposeIt(t *testing.T) {
	keys := messagingtest.KeysFor(wiring.Modules...)
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"a Lambda function", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "APP_MODULE": "orders",
			"EVENT_SIGNING_KEYS": keys, "DEV_DASHBOARD_ADDR": "127.0.0.1:9400"}, "server mode only, not in lambda mode"},
		{"a Cloud Function", map[string]string{"FUNCTION_TARGET": "orders-events", "EVENT_SIGNING_KEYS": keys,
			"DEV_DASHBOARD_ADDR": "127.0.0.1:9400"}, "server mode only, not in gcf mode"},
		{"every interface without a token", map[string]string{"DEV_DASHBOARD_ADDR": ":9400"}, "only with a token set"},
		{"a LAN address without a token", map[string]string{"DEV_DASHBOARD_ADDR": "192.168.1.5:9400"}, "not a loopback address"},
		{"a short token", map[string]string{"DEV_DASHBOARD_ADDR": "0.0.0.0:9400", "DEV_DASHBOARD_TOKEN": "short"}, "DEV_DASHBOARD_TOKEN: must be at least 16 bytes"},
		{"no port", map[string]string{"DEV_DASHBOARD_ADDR": "localhost"}, "DEV_DASHBOARD_ADDR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := wiring.LoadConfig(env(tc.vars))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one saying %q", err, tc.want)
			}
		})
	}
}
