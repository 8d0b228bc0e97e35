package wiring_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// With NOTIFY_WEBHOOK_URL the server delivers notifications to that
// webhook. While it fails, the breaker opens, /metrics and the log say so,
// and the welcome notification waits; once it answers again, the
// notification arrives, signed.
func TestNotificationsGoToTheWebhookWhoseBreakerMetricsShow(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	var mu sync.Mutex
	var got []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var n map[string]any
		_ = json.NewDecoder(r.Body).Decode(&n)
		n["signed"] = r.Header.Get("X-Webhook-Signature") != ""
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
	}))
	defer hook.Close()
	s := startServer(t, "METRICS_ADDR", "public", "NOTIFY_WEBHOOK_URL", hook.URL, "NOTIFY_WEBHOOK_SECRET", "hook-secret",
		"NOTIFY_WEBHOOK_BREAKER_FAILURES", "1", "NOTIFY_WEBHOOK_BREAKER_OPEN", "1s")
	u, _ := s.signUp(t)

	within(t, 10*time.Second, "the breaker opens on the failing webhook", func() bool {
		state, _ := value(s.scrape(t), "modmono_outbound_breaker_state", "name", "notifications-webhook")
		return state == 2
	})
	m := s.scrape(t)
	if failed, _ := value(m, "modmono_outbound_calls_total", "name", "notifications-webhook", "outcome", "failed"); failed < 1 {
		t.Errorf("modmono_outbound_calls_total{outcome=failed} = %v with the webhook down", failed)
	}
	if len(s.logs.matching(`"circuit breaker open"`, `"breaker":"notifications-webhook"`)) == 0 {
		t.Error("no log line says the breaker opened")
	}

	down.Store(false)
	within(t, 15*time.Second, "the welcome notification reaches the webhook", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	mu.Lock()
	n := got[0]
	mu.Unlock()
	if n["user_id"] != u.ID || n["kind"] != "welcome" || n["signed"] != true {
		t.Errorf("the webhook got %v, want the signed welcome of %s", n, u.ID)
	}
	// The webhook saw the call before the sender read its answer: the
	// breaker closes once the sender has.
	within(t, 5*time.Second, "the breaker closes after a delivery", func() bool {
		state, _ := value(s.scrape(t), "modmono_outbound_breaker_state", "name", "notifications-webhook")
		return state == 0
	})
}
