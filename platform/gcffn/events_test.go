package gcffn_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/gcffn"
)

// failing fails every event as a database that went away does.
type failing struct{ err error }

func (f failing) Handle(context.Context, *message.Message, int) error   { return f.err }
func (f failing) Poison(context.Context, *message.Message, error) error { return f.err }

func TestAnEventThatFailedForNowIsAnsweredSoThatPubSubDeliversItAgain(t *testing.T) {
	push := []byte(`{"message":{"messageId":"m-1","data":"e30=","attributes":{"event_type":"t.v1"}}}`)
	for _, tc := range []struct {
		name string
		err  error
		body []byte
		want int
	}{
		{"the database is unavailable", fmt.Errorf("inbox: %w", net.ErrClosed), push, http.StatusServiceUnavailable},
		{"the database is unavailable, even to poison", fmt.Errorf("poison queue: %w", net.ErrClosed), []byte(`[`), http.StatusServiceUnavailable},
		{"a handler failed past its retries", fmt.Errorf("something else"), push, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FUNCTION_TARGET", "test-events")
			h, err := gcffn.EventsHandler("test-events", failing{tc.err}, 1<<10, 5*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h(rec, httptest.NewRequest("POST", "/", bytes.NewReader(tc.body)))
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

// Requests whose clients are gone before their event is dispatched (a
// push that timed out while it waited) hold up no later event: the
// CloudEvents SDK under the framework would otherwise leave their send, and
// every dispatch after it, blocked for good.
func TestRequestsWhoseClientsAreGoneHoldUpNoLaterEvent(t *testing.T) {
	push := []byte(`{"message":{"messageId":"m-1","data":"e30=","attributes":{"event_type":"t.v1"}}}`)
	t.Setenv("FUNCTION_TARGET", "gone-events")
	h, err := gcffn.EventsHandler("gone-events", failing{nil}, 1<<10, 5*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		h(httptest.NewRecorder(), httptest.NewRequest("POST", "/", bytes.NewReader(push)).WithContext(gone))
	}
	done := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest("POST", "/", bytes.NewReader(push)))
		done <- rec.Code
	}()
	select {
	case code := <-done:
		if code/100 != 2 {
			t.Fatalf("status %d, want the event applied", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an event after 20 abandoned requests was never dispatched")
	}
}
