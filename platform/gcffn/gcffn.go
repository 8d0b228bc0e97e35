// Package gcffn serves one module as Google Cloud Functions (Cloud Run
// functions) do: an HTTP function named after the module serving its
// routes, a CloudEvent function "<module>-events" taking the Pub/Sub
// messagePublished events that carry the bus messages it consumes, and an
// HTTP function "<module>-relay" that Cloud Scheduler calls to publish the
// module's outbox.
//
// The functions are registered with the Functions Framework for Go
// (functions.HTTP, functions.CloudEvent), and the framework's own handler
// for FUNCTION_TARGET dispatches to them: it decodes CloudEvents, turns a
// Pub/Sub push or background event into one, recovers panics. That handler
// is served by the same hardened server as server mode (platform/httpserver),
// not by the framework's bare http.ListenAndServe, which has no timeouts,
// no limits and no drain on SIGTERM; framework.go says how, and why. In
// front of the events function, checks keep from the framework every event
// it would answer with a redelivering 4xx or 5xx.
package gcffn

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/ThreeDotsLabs/watermill/message"
)

// EventApplier applies one event (messaging.Processor does); attempt 0 means the queue does not count
// deliveries, so the processor retries itself before poisoning.
type EventApplier interface {
	Handle(ctx context.Context, msg *message.Message, attempt int) error
	Poison(ctx context.Context, msg *message.Message, reason error) error
}

// EventsName is the name of a module's CloudEvent function.
func EventsName(module string) string { return module + "-events" }

// RelayName is the name of a module's relay function.
func RelayName(module string) string { return module + "-relay" }

// Relay returns the HTTP function that publishes the outbox once per POST,
// as a Cloud Scheduler job calls it, and answers how many events it
// published. A failure answers 500, and the scheduler's next run (or its
// retry) carries on where this one stopped.
func Relay(relay func(context.Context) (int, error), logger *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST to relay the outbox", http.StatusMethodNotAllowed)
			return
		}
		n, err := relay(r.Context())
		if err != nil {
			logger.ErrorContext(r.Context(), "relay failed", "relayed", n, "error", err)
			http.Error(w, "relay failed; the next run carries on", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"relayed": n})
	}
}
