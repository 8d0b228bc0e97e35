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
	"time"

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

// EventsHandler returns the events function name (FUNCTION_TARGET), the
// CloudEvent function registered with the Functions Framework, behind the
// checks that keep from the framework what it would answer with a 4xx or
// 5xx, which Pub/Sub takes as "deliver it again", forever. It takes a
// Pub/Sub message as a CloudEvent (binary or structured mode, as Eventarc
// sends it), as a push subscription's own JSON or as a background event,
// reading at most maxBytes+1 bytes of it, and answers
//   - 204 once the event is applied, or is in the poison queue because it
//     never can be: larger than maxBytes, not a CloudEvent, not a Pub/Sub
//     message, or refused by the framework. A 2xx is the only answer
//     Pub/Sub push and Eventarc take as an acknowledgement;
//   - 503, with Retry-After, when the database is unavailable, and 500 when
//     anything else failed: both make Pub/Sub deliver the event again, with
//     its backoff.
func EventsHandler(name string, p EventApplier, maxBytes int, timeout time.Duration, logger *slog.Logger) (http.HandlerFunc, error) {
	dispatch, err := eventsFunction(name, Events(p, logger), timeout)
	if err != nil {
		return nil, err
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST an event", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, int64(maxBytes)+1))
		if err != nil { // cut off, or gone: no acknowledgement, so it comes again
			http.Error(w, "the event could not be read", http.StatusBadRequest)
			return
		}
		switch bad := error(nil); {
		case len(body) > maxBytes:
			err = poison(r.Context(), p, logger, oversized(r, body), fmt.Errorf("an event of %s bytes is over the limit of %d", size(r, maxBytes), maxBytes))
		case func() bool { bad = malformed(r, body); return bad != nil }():
			err = poison(r.Context(), p, logger, undecodable(r, body), bad)
		default:
			err = handOn(dispatch, p, logger, r, body)
		}
		answer(w, err)
	}, nil
}

// malformed says why body is no event the framework can hand to Events.
func malformed(r *http.Request, body []byte) error {
	if isCloudEvent(r) {
		_, err := decode(r, body)
		return err
	}
	return notPushed(body)
}

// backgroundEvent is the part of a background event (the legacy format of
// Cloud Functions) the framework needs to make a CloudEvent of it.
type backgroundEvent struct {
	Context struct {
		EventID   string `json:"eventId"`
		EventType string `json:"eventType"`
	} `json:"context"`
	Data json.RawMessage `json:"data"`
}

// notPushed says why body, sent as no CloudEvent, is neither a push
// subscription's message nor a Pub/Sub background event, the two the
// framework turns into CloudEvents.
func notPushed(body []byte) error {
	var push pubsubData
	if err := json.Unmarshal(body, &push); err != nil {
		return fmt.Errorf("not a Pub/Sub push: %w", err)
	}
	if push.Message.MessageID != "" {
		return nil
	}
	var bg backgroundEvent
	_ = json.Unmarshal(body, &bg)
	if bg.Context.EventID != "" && len(bg.Data) > 0 && strings.Contains(bg.Context.EventType, "pubsub") {
		return nil
	}
	return errors.New("not a Pub/Sub push: no message id, and no Pub/Sub background event")
}

// handOn hands the event, body restored, to the framework, which calls
// Events with it. The framework answers 500 to any error, so the outcome
// Events recorded decides the answer instead; an event the framework
// refused without calling Events can never be applied, and is poisoned.
func handOn(dispatch func(http.ResponseWriter, *http.Request) (*call, error), p EventApplier, logger *slog.Logger, r *http.Request, body []byte) error {
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	var fw captured
	c, err := dispatch(&fw, r)
	if err != nil {
		return err // the client is gone: it will deliver the event again
	}
	if c.ran {
		return c.err
	}
	return poison(r.Context(), p, logger, undecodable(r, body), fmt.Errorf("the Functions Framework answered %d: %s", fw.status, fw.body.String()))
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

// captured keeps what the framework answered, for the poison queue; the
// answer Pub/Sub gets is ours.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header {
	if c.header == nil {
		c.header = http.Header{}
	}
	return c.header
}

func (c *captured) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captured) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	c.body.Write(b[:min(len(b), 256-min(256, c.body.Len()))])
	return len(b), nil
}

// errNotServed is a CloudEvent function's error for a request that did
// not come through EventsHandler.
var errNotServed = errors.New("gcffn: the event did not come through EventsHandler")

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
