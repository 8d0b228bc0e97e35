package notifications_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/webhook"
)

// provider is a webhook endpoint that can be taken down and brought back;
// it records the notification ids it accepted, in order.
type provider struct {
	*httptest.Server
	down atomic.Bool
	hits atomic.Int64

	mu       sync.Mutex
	accepted []string
}

func newProvider(t *testing.T) *provider {
	p := &provider{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		if p.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var n struct {
			ID string `json:"id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil || n.ID == "" || r.Header.Get(webhook.IDHeader) != n.ID {
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.accepted = append(p.accepted, n.ID)
		p.mu.Unlock()
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *provider) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.accepted)
}

func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
	}
}

// newModule is the notifications module on a database of its own, with a
// welcome notification stored for each of users users.
func newModule(t *testing.T, cfg notifications.Config, users int) (*notifications.Module, *sqldb.DB) {
	t.Helper()
	db := messagingtest.OpenDB(t, migrations.Of(notifications.Name))
	m, err := notifications.New(modular.Deps{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	processor := messagingtest.Processor(t, db, m.Handlers())
	for i := range users {
		ev := userevents.UserRegistered{UserID: fmt.Sprintf("0190a0b2-7c3e-7000-8000-%012d", i),
			Email: fmt.Sprintf("u%d@example.com", i), Name: "U", RegisteredAt: time.Now().UTC()}
		if err := messagingtest.Deliver(context.Background(), processor, userevents.TopicUserRegistered, ev); err != nil {
			t.Fatal(err)
		}
	}
	return m, db
}

// run runs m's sender until the test ends, and fails the test unless it
// stops within a second of being told to.
func run(t *testing.T, m *notifications.Module) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Workers()[0].Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(time.Second):
			t.Error("the sender did not stop within 1s of shutdown")
		}
	})
}

// While the webhook is down, notifications stay stored and unsent, the
// breaker opens and refuses calls instead of making them, and the sender
// holds no more goroutines than before; once it is back, every
// notification arrives once, in the order stored.
func TestADownWebhookKeepsNotificationsQueuedThenGetsEachOnceInOrder(t *testing.T) {
	const users = 30
	p := newProvider(t)
	p.down.Store(true)
	m, db := newModule(t, notifications.Config{
		Webhook:   webhook.Config{URL: p.URL, Timeout: time.Second, Failures: 3, OpenFor: 2 * time.Second},
		SendRetry: 10 * time.Millisecond,
	}, users)
	stored := sqldbtest.Strings(t, db, `SELECT id FROM notifications ORDER BY seq`)
	if len(stored) != users {
		t.Fatalf("%d notifications stored, want %d", len(stored), users)
	}
	client := m.Outbound()[0]

	before := runtime.NumGoroutine()
	run(t, m)

	within(t, 10*time.Second, "the breaker refuses calls", func() bool { return client.Stats().Refused >= 3 })
	s := client.Stats()
	if s.Calls >= s.Calls+s.Refused || int64(s.Calls) != p.hits.Load() {
		t.Errorf("%d attempts made %d calls (the endpoint saw %d): the breaker spared it none", s.Calls+s.Refused, s.Calls, p.hits.Load())
	}
	if n := runtime.NumGoroutine(); n > before+8 { // the sender, one keep-alive connection both ends, some slack
		t.Errorf("%d goroutines while the webhook is down, %d before: the sender piles them up", n, before)
	}
	if got := sqldbtest.Strings(t, db, `SELECT id FROM notifications ORDER BY seq`); len(got) != users || len(p.received()) != 0 {
		t.Fatalf("with the webhook down: %d stored (want %d), %d accepted (want 0)", len(got), users, len(p.received()))
	}
	t.Logf("webhook down: %d send attempts, %d calls made, %d refused by the open breaker; %d goroutines (%d before)",
		s.Calls+s.Refused, s.Calls, s.Refused, runtime.NumGoroutine(), before)

	p.down.Store(false)
	within(t, 15*time.Second, "every notification delivered", func() bool { return len(p.received()) >= users })
	time.Sleep(200 * time.Millisecond) // a repeat would arrive meanwhile
	if got := p.received(); !slices.Equal(got, stored) {
		t.Errorf("accepted %d notifications %v,\nwant each of the %d stored once, in order %v", len(got), got, users, stored)
	}
	if s := client.Stats(); s.State != "closed" {
		t.Errorf("breaker %s after the webhook came back, want closed", s.State)
	}
}

// A webhook that takes its time is cut by the timeout: each call fails after
// about the timeout, the notification stays stored, and the sender stops at
// once on shutdown instead of waiting for the webhook.
func TestASlowWebhookIsCutByTheTimeout(t *testing.T) {
	var calls atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	m, db := newModule(t, notifications.Config{
		Webhook:   webhook.Config{URL: slow.URL, Timeout: 100 * time.Millisecond, Failures: 100},
		SendRetry: 10 * time.Millisecond,
	}, 1)
	start := time.Now()
	run(t, m)
	within(t, 5*time.Second, "two calls cut by the timeout", func() bool { return m.Outbound()[0].Stats().Timeout >= 2 })
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("two calls took %s with a 100ms timeout", took)
	}
	if got := sqldbtest.Strings(t, db, `SELECT id FROM notifications`); len(got) != 1 {
		t.Errorf("%d notifications stored, want the one still waiting", len(got))
	}
	t.Logf("%d calls, %d cut by the timeout, in %s", calls.Load(), m.Outbound()[0].Stats().Timeout, time.Since(start).Round(time.Millisecond))
}
