package gcffn_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/gcffn"
)

// recording applies every event by remembering it.
type recording struct {
	mu       sync.Mutex
	handled  []*message.Message
	poisoned int
}

func (r *recording) Handle(_ context.Context, msg *message.Message, _ int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handled = append(r.handled, msg)
	return nil
}

func (r *recording) Poison(context.Context, *message.Message, error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.poisoned++
	return nil
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestTheFrameworkStillBuildsItsHandlerAsThisPackageExpects(t *testing.T) {
	t.Setenv("FUNCTION_TARGET", "probe")
	h, err := gcffn.HTTPFunction("probe", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/any/path", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("status %d: the framework's handler did not run the registered function", rec.Code)
	}
	t.Run("and refuses a target FUNCTION_TARGET does not name", func(t *testing.T) {
		if _, err := gcffn.HTTPFunction("other", http.NotFoundHandler()); err == nil {
			t.Fatal("no error for a target the framework would not serve")
		}
	})
}

func TestAPanicInAnHTTPFunctionIsRecoveredByTheFramework(t *testing.T) {
	t.Setenv("FUNCTION_TARGET", "panics")
	h, err := gcffn.HTTPFunction("panics", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("X-Google-Status") != "crash" {
		t.Fatalf("status %d, X-Google-Status %q: not the framework's wrapper", rec.Code, rec.Header().Get("X-Google-Status"))
	}
}

func TestPubSubFormatsOnlyTheFrameworkConvertsAreApplied(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"a push subscription's message", `{"subscription":"projects/p/subscriptions/s","message":{"messageId":"m-1","data":"eyJhIjoxfQ==","attributes":{"event_id":"ev-1","event_type":"t.v1"}}}`},
		{"a background event", `{"context":{"eventId":"m-1","timestamp":"2026-12-01T10:00:00Z","eventType":"google.pubsub.topic.publish","resource":{"service":"pubsub.googleapis.com","name":"projects/p/topics/t"}},"data":{"@type":"type.googleapis.com/google.pubsub.v1.PubsubMessage","data":"eyJhIjoxfQ==","attributes":{"event_id":"ev-1","event_type":"t.v1"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FUNCTION_TARGET", "formats-events")
			var p recording
			// Registered again by every subtest: harmless, the registry sees it once.
			h, err := gcffn.EventsHandler("formats-events", &p, 1<<10, 5*time.Second, discard())
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			h(rec, req)
			if rec.Code != http.StatusNoContent || len(p.handled) != 1 || p.poisoned != 0 {
				t.Fatalf("status %d, %d handled, %d poisoned", rec.Code, len(p.handled), p.poisoned)
			}
			msg := p.handled[0]
			var data map[string]int
			if err := json.Unmarshal(msg.Payload, &data); err != nil || data["a"] != 1 || msg.UUID != "ev-1" || msg.Metadata.Get("event_type") != "t.v1" {
				t.Fatalf("applied %s %q %v: not the message pushed", msg.UUID, msg.Payload, msg.Metadata)
			}
		})
	}
}
