package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/wiring"
)

// function is one Cloud Functions target run in-process through run, on a
// PostgreSQL database of the test's own, as the platform runs it.
type function struct {
	addr   string
	env    map[string]string
	logs   *lockedBuffer
	cancel context.CancelFunc // SIGTERM
	done   chan error         // what run returned
}

// runFunction runs target with env (name, value, …) on top of the
// defaults, and waits until it answers.
func runFunction(t *testing.T, target string, env ...string) *function {
	t.Helper()
	t.Setenv("FUNCTION_TARGET", target) // the Functions Framework reads it from the environment
	port := freePort(t)
	f := &function{addr: fmt.Sprint("127.0.0.1:", port), logs: &lockedBuffer{}, done: make(chan error, 1), env: map[string]string{
		"FUNCTION_TARGET": target, "PORT": fmt.Sprint(port), "DATABASE_URL": sqldbtest.PostgresURL(t),
		"DATA_DIR": t.TempDir(), "JWT_SECRET": "gcf-test-secret-gcf-test-secret-gcf-0001", "LOG_FORMAT": "json",
		"EVENT_SIGNING_KEYS": messagingtest.KeysFor(wiring.Modules...),
	}}
	for i := 0; i+1 < len(env); i += 2 {
		f.env[env[i]] = env[i+1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.done <- run(ctx, nil, f.getenv, f.logs, f.logs) }()
	t.Cleanup(func() {
		cancel()
		<-f.done
		if t.Failed() {
			t.Logf("%s log:\n%s", target, f.logs)
		}
	})
	if !waitReady("http://"+f.addr+"/readyz", 30*time.Second) {
		t.Fatalf("%s did not become ready", target)
	}
	return f
}

func (f *function) getenv(k string) string { return f.env[k] }

// poisoned is how many events the events command lists in module's poison
// queue.
func (f *function) poisoned(t *testing.T, module string) int {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"events", "list", module}, f.getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Sscanf(out.String(), module+": %d poisoned", &n); err != nil {
		t.Fatalf("events list: %v\n%s", err, out.String())
	}
	return n
}

// pushed is a Pub/Sub push of a users.UserRegistered.v1 event.
func pushed(t *testing.T, id string) []byte {
	t.Helper()
	data := mustJSON(t, map[string]any{"user_id": "0190a0b2-7c3e-7000-8000-0000000000c1", "email": "c1@example.com",
		"name": "C", "registered_at": "2026-11-22T10:00:00Z"})
	return mustJSON(t, map[string]any{"subscription": "projects/p/subscriptions/notifications", "message": map[string]any{
		"messageId":  "ps-" + id,
		"data":       data,
		"attributes": signedAttributes(id, "users.UserRegistered.v1", data),
	}})
}

func TestCloudEventsThatCanNeverSucceedAreAcknowledgedAndPoisonedOnce(t *testing.T) {
	f := runFunction(t, "notifications-events")
	binary := http.Header{"Ce-Id": {"ce-big"}, "Ce-Specversion": {"1.0"}, "Ce-Source": {"//pubsub.googleapis.com/projects/p/topics/t"},
		"Ce-Type": {"google.cloud.pubsub.topic.v1.messagePublished"}, "Content-Type": {"application/json"}}
	structured := http.Header{"Content-Type": {"application/cloudevents+json"}}
	for _, tc := range []struct {
		name   string
		header http.Header
		body   []byte
	}{
		{"a 30 MiB CloudEvent", binary, bytes.Repeat([]byte("x"), 30<<20)},
		{"a 30 MiB push", http.Header{"Content-Type": {"application/json"}}, bytes.Repeat([]byte(" "), 30<<20)},
		{"a structured CloudEvent that is not JSON", structured, []byte(`{"specversion":"1.0","id":`)},
		{"a structured CloudEvent without its required fields", structured, []byte(`{"specversion":"1.0","data":{}}`)},
		{"a structured CloudEvent that carries no Pub/Sub message", structured,
			[]byte(`{"specversion":"1.0","id":"ce-env","source":"//x","type":"t","datacontenttype":"application/json","data":{"message":{}}}`)},
		{"a push that is not a Pub/Sub message", http.Header{"Content-Type": {"application/json"}}, []byte(`[1, 2`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.poisoned(t, "notifications")
			req, err := http.NewRequest("POST", "http://"+f.addr+"/", bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = tc.header
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode/100 != 2 {
				t.Fatalf("status %d: Pub/Sub would deliver it again, forever", res.StatusCode)
			}
			if n := f.poisoned(t, "notifications") - before; n != 1 {
				t.Fatalf("%d new poisoned events, want 1", n)
			}
		})
	}
	t.Run("the poison queue keeps an oversized event's size and first bytes only", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"events", "show", "notifications", "ce-big"}, f.getenv, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		_, payload, _ := strings.Cut(out.String(), "payload:\n")
		if !strings.Contains(out.String(), "size: 31457280") || !strings.Contains(out.String(), "over the limit of 262144") || len(payload) > 5<<10 {
			t.Fatalf("events show ce-big (%d bytes of payload):\n%.2000s", len(payload), out.String())
		}
	})
	// One line per poisoned event says so, with its ids; nothing else errs.
	if lines := f.logs.matching(`"msg":"event poisoned"`, `"module":"notifications"`); len(lines) != 6 {
		t.Errorf("%d poisoned lines, want one per event: 6\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for _, line := range f.logs.matching(`"level":"ERROR"`) {
		if !strings.Contains(line, `"msg":"event poisoned"`) {
			t.Errorf("an error line besides the poisoned ones: %s", line)
		}
	}
}

func TestAFunctionCutsOffAClientThatSendsHeadersTooSlowly(t *testing.T) {
	const timeout = 500 * time.Millisecond
	f := runFunction(t, "notifications-events", "HTTP_READ_HEADER_TIMEOUT", timeout.String())
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST / HT")); err != nil { // half a request line, then nothing
		t.Fatal(err)
	}
	start := time.Now()
	if err := conn.SetReadDeadline(start.Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, conn) // until the server closes it
	waited := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the function kept a half-sent request line open for 10 s")
	}
	t.Logf("cut off after %s", waited)
	if waited > 2*timeout {
		t.Errorf("the connection was closed after %s, want within %s", waited, 2*timeout)
	}
}

func TestAFunctionStoppedMidRequestAnswersItBeforeReturning(t *testing.T) {
	f := runFunction(t, "notifications-events")
	body := pushed(t, "ev-in-flight")
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST /projects/p/topics/t HTTP/1.1\r\nHost: f\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	half := len(body) / 2
	if _, err := conn.Write(append([]byte(head), body[:half]...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is reading the body
	f.cancel()                         // SIGTERM
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-f.done:
		t.Fatalf("run returned (%v) with a request in flight", err)
	default:
	}
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request was not answered: %v", err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		t.Fatalf("the in-flight event: status %d", res.StatusCode)
	}
	select {
	case err := <-f.done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		f.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the last request")
	}
}

// lockedBuffer is a log both run and the test touch.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// matching returns the lines holding every one of parts.
func (b *lockedBuffer) matching(parts ...string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		all := l != ""
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}
