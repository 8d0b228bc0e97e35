package gcffn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"example.com/modmono/platform/sqldb"
)

// poisonedPrefix caps what the poison queue keeps of an event too large to
// read: enough to tell what it was.
const poisonedPrefix = 4 << 10

// pubsubData is the data of a google.cloud.pubsub.topic.v1.messagePublished
// event, and the body a Pub/Sub push subscription posts.
type pubsubData struct {
	Message struct {
		Data       []byte            `json:"data"`
		Attributes map[string]string `json:"attributes"`
		MessageID  string            `json:"messageId"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

// EventsHandler returns the CloudEvent function: it takes a Pub/Sub
// message as a CloudEvent (binary or structured mode, as Eventarc sends
// it) or as a push subscription's own JSON, reading at most maxBytes+1
// bytes of it, and answers
//   - 204 once the event is applied, or is in the poison queue because it
//     never can be: larger than maxBytes, not a CloudEvent, or not a Pub/Sub
//     message. A 2xx is the only answer Pub/Sub push and Eventarc take as
//     an acknowledgement, so anything else would be delivered forever;
//   - 503, with Retry-After, when the database is unavailable, and 500 when
//     anything else failed: both make Pub/Sub deliver the event again, with
//     its backoff.
func EventsHandler(p EventApplier, maxBytes int, logger *slog.Logger) http.HandlerFunc {
	apply := Events(p, logger)
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		body, err := io.ReadAll(io.LimitReader(r.Body, int64(maxBytes)+1))
		if err != nil { // cut off, or gone: no acknowledgement, so it comes again
			http.Error(w, "the event could not be read", http.StatusBadRequest)
			return
		}
		switch {
		case len(body) > maxBytes:
			err = poison(ctx, p, logger, oversized(r, body), fmt.Errorf("an event of %s bytes is over the limit of %d", size(r, maxBytes), maxBytes))
		case isCloudEvent(r):
			var e *cloudevents.Event
			if e, err = decode(r, body); err != nil {
				err = poison(ctx, p, logger, undecodable(r, body), err)
			} else {
				err = apply(ctx, *e)
			}
		default: // a push subscription's JSON is the data of the CloudEvent it stands for
			err = applyData(ctx, p, logger, "", body)
		}
		answer(w, err)
	}
}

// Events returns the function applying a decoded CloudEvent: its data is a
// Pub/Sub message, whose data is the event payload and whose attributes
// are the event metadata. Data that is no Pub/Sub message goes to the
// poison queue. An error means the event should be delivered again.
func Events(p EventApplier, logger *slog.Logger) func(context.Context, cloudevents.Event) error {
	return func(ctx context.Context, e cloudevents.Event) error {
		return applyData(ctx, p, logger, e.ID(), e.Data())
	}
}

// applyData applies the Pub/Sub message in data; data that holds none is
// poisoned under ceID (a new id when there is none).
func applyData(ctx context.Context, p EventApplier, logger *slog.Logger, ceID string, data []byte) error {
	var d pubsubData
	if err := json.Unmarshal(data, &d); err != nil || d.Message.MessageID == "" {
		reason := errors.Join(errors.New("not a Pub/Sub messagePublished event"), err)
		return poison(ctx, p, logger, message.NewMessage(idOr(ceID), data), reason)
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

// poison puts msg in the poison queue; when even that fails (the database
// is away), the event must come again.
func poison(ctx context.Context, p EventApplier, logger *slog.Logger, msg *message.Message, reason error) error {
	if err := p.Poison(ctx, msg, reason); err != nil {
		logger.ErrorContext(ctx, "event could not be poisoned; Pub/Sub will deliver it again", "event_id", msg.UUID, "error", err)
		return err
	}
	return nil
}

// answer tells Pub/Sub whether the event is done with.
func answer(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case sqldb.IsUnavailable(err):
		w.Header().Set("Retry-After", "10")
		http.Error(w, "the database is unavailable; deliver the event again", http.StatusServiceUnavailable)
	default:
		http.Error(w, "the event failed; deliver it again", http.StatusInternalServerError)
	}
}

// isCloudEvent tells a CloudEvent from a push subscription's JSON, as the
// Functions Framework does.
func isCloudEvent(r *http.Request) bool {
	return r.Header.Get("Ce-Id") != "" || strings.Contains(r.Header.Get("Content-Type"), "cloudevents")
}

// decode reads the CloudEvent r carries, whose body was read already.
func decode(r *http.Request, body []byte) (*cloudevents.Event, error) {
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	e, err := cehttp.NewEventFromHTTPRequest(r)
	if err == nil {
		err = e.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("not a CloudEvent: %w", err)
	}
	return e, nil
}

// described lists the headers that say what an event was, for the poison
// queue.
var described = []string{"Ce-Id", "Ce-Type", "Ce-Source", "Ce-Subject", "Content-Type"}

// oversized is what the poison queue keeps of an event too large to read:
// the headers that describe it, its size and its first bytes.
func oversized(r *http.Request, body []byte) *message.Message {
	msg := undecodable(r, body[:min(len(body), poisonedPrefix)])
	msg.Metadata.Set("size", size(r, len(body)-1))
	return msg
}

// undecodable is an event that is no Pub/Sub message, as the poison queue
// keeps it: its body and the headers that describe it.
func undecodable(r *http.Request, body []byte) *message.Message {
	msg := message.NewMessage(idOr(r.Header.Get("Ce-Id")), body)
	for _, h := range described {
		if v := r.Header.Get(h); v != "" {
			msg.Metadata.Set(strings.ToLower(h), v[:min(len(v), 256)])
		}
	}
	return msg
}

// size is r's declared length, or "more than read" when it declared none.
func size(r *http.Request, read int) string {
	if r.ContentLength > 0 {
		return strconv.FormatInt(r.ContentLength, 10)
	}
	return "more than " + strconv.Itoa(read)
}

func idOr(id string) string {
	if id == "" || len(id) > 256 {
		return watermill.NewUUID()
	}
	return id
}
