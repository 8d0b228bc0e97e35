// Package gcffn serves one module as Google Cloud Functions (Cloud Run
// functions) do: an HTTP function named after the module serving its
// routes, a CloudEvent function "<module>-events" taking the Pub/Sub
// messagePublished events that carry the bus messages it consumes, and an
// HTTP function "<module>-relay" that Cloud Scheduler calls to publish the
// module's outbox.
//
// The functions are plain HTTP handlers, served by the same hardened server
// as server mode (platform/httpserver). The Functions Framework for Go,
// which this package used to run them on, serves with a bare
// http.ListenAndServe (no timeouts, no body limit, no drain on SIGTERM) and
// hands out no http.Handler to serve elsewhere; what it did for us,
// decoding CloudEvents and turning a Pub/Sub push into one, is done here
// with the CloudEvents SDK the framework itself uses.
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
