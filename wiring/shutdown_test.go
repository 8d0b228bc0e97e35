package wiring_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

// A SIGTERM during start-up must not wait out the routers' close timeout
// (15 s each): a router closed before it runs used to.
func TestAServerStoppedWhileStartingStopsAtOnce(t *testing.T) {
	srv, ln, _ := unstartedServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_ = srv.Run(ctx, ln) // nil or context.Canceled, depending on how far it got
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %s to give up", took)
	}
}

// A request that never finishes cannot hold a shutdown past
// SHUTDOWN_TIMEOUT, and is no failure: it was never answered, so never
// acknowledged, and its client retries. Here its body trickles in and
// stops, so the handler is blocked reading it.
func TestAShutdownThatTimesOutAbandonsTheRequestInFlightAndSucceeds(t *testing.T) {
	srv, ln, logs := unstartedServer(t, "SHUTDOWN_TIMEOUT", "1s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	waitUntilReady(t, "http://"+ln.Addr().String())

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = conn.Write([]byte("POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is reading the body
	start := time.Now()
	cancel() // SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v, want nil: nothing acknowledged was lost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return 10 s after SIGTERM")
	}
	if took := time.Since(start); took < time.Second || took > 3*time.Second {
		t.Errorf("Run returned %s after SIGTERM, want SHUTDOWN_TIMEOUT (1s) and little more", took)
	}
	if lines := logs.matching("shutdown timed out", `"requests":1`); len(lines) != 1 {
		t.Errorf("%d log lines naming the one abandoned request, want 1", len(lines))
	}
}

// unstartedServer is the server of env on top of testEnv, not running yet,
// with a loopback listener for its Run and its log.
func unstartedServer(t *testing.T, env ...string) (*wiring.Server, net.Listener, *logBuffer) {
	t.Helper()
	cfg := testConfig(t, t.TempDir(), env...)
	logs := &logBuffer{t: t}
	srv, cleanup, err := wiring.InitializeServer(cfg, logging.New(logs, cfg.LogLevel, logging.JSON))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return srv, ln, logs
}

func waitUntilReady(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatal("the server did not become ready")
}
