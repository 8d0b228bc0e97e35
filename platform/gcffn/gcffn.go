// Package gcffn runs one module under the Google Cloud Functions framework:
// an HTTP function named after the module serving its routes, a CloudEvent
// function "<module>-events" taking the Pub/Sub messagePublished events that
// carry the bus messages it consumes, and an HTTP function "<module>-relay"
// that Cloud Scheduler calls to publish the module's outbox.
package gcffn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/ThreeDotsLabs/watermill/message"
	cloudevents "github.com/cloudevents/sdk-go/v2"
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

// Register declares the module's functions to the framework. events may be
// nil for a module that consumes nothing.
func Register(module string, h http.Handler, events EventApplier, relay func(context.Context) (int, error), logger *slog.Logger) {
	functions.HTTP(module, h.ServeHTTP)
	if events != nil {
		functions.CloudEvent(EventsName(module), Events(events, logger))
	}
	functions.HTTP(RelayName(module), Relay(relay, logger))
}

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

// Serve runs the framework on port, serving the function FUNCTION_TARGET
// names, until ctx is done.
func Serve(ctx context.Context, port string) error {
	errc := make(chan error, 1)
	go func() { errc <- funcframework.StartHostPort("", port) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return nil
	}
}

// pubsubData is the data of a google.cloud.pubsub.topic.v1.messagePublished event.
type pubsubData struct {
	Message struct {
		Data       []byte            `json:"data"`
		Attributes map[string]string `json:"attributes"`
		MessageID  string            `json:"messageId"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

// Events returns the CloudEvent function applying Pub/Sub messages: the
// message data is the event payload, its attributes the event metadata.
// An error makes Pub/Sub deliver the event again.
func Events(p EventApplier, logger *slog.Logger) func(context.Context, cloudevents.Event) error {
	return func(ctx context.Context, e cloudevents.Event) error {
		var d pubsubData
		if err := json.Unmarshal(e.Data(), &d); err != nil || d.Message.MessageID == "" {
			reason := errors.Join(errors.New("not a Pub/Sub messagePublished event"), err)
			return p.Poison(ctx, message.NewMessage(e.ID(), e.Data()), reason)
		}
		id := d.Message.Attributes["event_id"]
		if id == "" {
			id = d.Message.MessageID
		}
		msg := message.NewMessage(id, d.Message.Data)
		for k, v := range d.Message.Attributes {
			msg.Metadata.Set(k, v)
		}
		if err := p.Handle(ctx, msg, 0); err != nil {
			logger.ErrorContext(ctx, "event failed; Pub/Sub will deliver it again", "event_id", id, "error", err)
			return fmt.Errorf("event %s: %w", id, err)
		}
		return nil
	}
}
