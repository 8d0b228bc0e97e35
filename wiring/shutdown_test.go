package wiring_test

import (
	"context"
	"net"
	"testing"
	"time"

	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

// A SIGTERM during start-up must not wait out the routers' close timeout
// (15 s each): a router closed before it runs used to.
func TestAServerStoppedWhileStartingStopsAtOnce(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	logs := &logBuffer{t: t}
	srv, cleanup, err := wiring.InitializeServer(cfg, logging.New(logs, cfg.LogLevel, logging.JSON))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_ = srv.Run(ctx, ln) // nil or context.Canceled, depending on how far it got
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %s to give up", took)
	}
}
