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
			h, err := gcffn.EventsHandler("test-events", failing{tc.err}, 1<<10, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
