// Package messagingtest runs a module's use cases and event handlers in
// tests on a real, temporary SQLite database with the real outbox, relay and
// processor: events go in as a queue would deliver them, and what the module
// published comes out of its outbox through the real relay.
package messagingtest

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"example.com/modmono/platform/eventschema"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

// OpenDB opens an empty module database with the messaging schema and own
// applied, as the wiring opens a module's database: a SQLite file in a
// temporary directory, or, with TEST_STORAGE=postgres, a schema in a
// PostgreSQL database of the test's own (see sqldbtest).
func OpenDB(t testing.TB, own sqldb.Migrations) *sqldb.DB {
	t.Helper()
	return sqldbtest.Open(t, sqldbtest.Engine(), "module", append(messaging.Schema(), own)...)
}

// Processor returns the real processor of handlers on db, which tries each
// event once: a test sees a handler's error instead of its retries.
func Processor(t testing.TB, db *sqldb.DB, handlers []messaging.Handler) *messaging.Processor {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := messaging.NewProcessor("test", db, handlers, logger, messaging.ProcessorConfig{MaxRetries: 1, Keys: Keys})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Deliver hands payload to p as a first delivery of a new event on topic,
// the way a queue delivers it, and returns the handler's error.
func Deliver(ctx context.Context, p *messaging.Processor, topic string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	msg := message.NewMessage(uuid.NewString(), body)
	msg.Metadata.Set(messaging.MetaEventID, msg.UUID)
	msg.Metadata.Set(messaging.MetaEventType, topic)
	return p.Handle(ctx, Signed(msg), 1)
}

// Keys are the event signing keys of tests: one for each module and for
// the made-up producers of the messaging tests. They are in the source, and
// so no secret.
var Keys = mustParseKeys(KeysText)

// KeysText is Keys as EVENT_SIGNING_KEYS gives them.
var KeysText = testKeys()

func testKeys() string {
	var entries []string
	for _, p := range []string{"users", "orders", "notifications", "t", "thing", "in", "out", "other", "wanted", "test", "bench"} {
		entries = append(entries, testKey(p))
	}
	return strings.Join(entries, ",")
}

func testKey(producer string) string {
	return producer + "/test=" + strings.Repeat(producer, 32/len(producer)+1)
}

// KeysFor is KeysText with a key, made the same way, for each of producers
// that KeysText lacks: what a test process passes as EVENT_SIGNING_KEYS
// when it runs every module of the wiring's catalog, whatever they are.
func KeysFor(producers ...string) string {
	text := KeysText
	for _, p := range producers {
		if !Keys.Has(p) {
			text += "," + testKey(p)
		}
	}
	return text
}

func mustParseKeys(text string) *messaging.Keys {
	k, err := messaging.ParseKeys(text)
	if err != nil {
		panic(err)
	}
	return k
}

// Signed makes msg, whose metadata names its event type, an authentic
// event of the module that owns the type (the part of its name before the
// first dot), as that module's outbox would: it fills in the producer and,
// when missing, the id and time, and signs it with Keys.
func Signed(msg *message.Message) *message.Message {
	owner, _, _ := strings.Cut(msg.Metadata.Get(messaging.MetaEventType), ".")
	msg.Metadata.Set(messaging.MetaProducer, owner)
	if msg.Metadata.Get(messaging.MetaEventID) == "" {
		msg.Metadata.Set(messaging.MetaEventID, msg.UUID)
	}
	if msg.Metadata.Get(messaging.MetaOccurredAt) == "" {
		msg.Metadata.Set(messaging.MetaOccurredAt, time.Now().UTC().Format(time.RFC3339Nano))
	}
	if err := Keys.Sign(msg); err != nil {
		panic(err) // a producer Keys lacks: add it above
	}
	return msg
}

// Published relays db's outbox through the real relay and returns what it
// published since the last call, in order. Each event must match its
// topic's schema in contracts (a module's events.Contracts).
func Published(t testing.TB, db *sqldb.DB, contracts fs.FS) []Event {
	t.Helper()
	var sink sink
	logger := messaging.WatermillLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := messaging.RelayOnce(context.Background(), db, &sink, logger); err != nil {
		t.Fatal(err)
	}
	for _, e := range sink.events {
		if err := eventschema.Validate(contracts, e.Topic, e.Payload); err != nil {
			t.Errorf("a published event breaks its contract: %v", err)
		}
	}
	return sink.events
}

// Event is one published event.
type Event struct {
	Topic   string
	Payload json.RawMessage
}

// Decode reads the payload into v.
func (e Event) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(e.Payload, v); err != nil {
		t.Fatalf("%s: %v", e.Topic, err)
	}
}

// sink is the bus the relay publishes to in tests: it keeps every message.
type sink struct {
	mu     sync.Mutex
	events []Event
}

func (s *sink) Publish(topic string, msgs ...*message.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		s.events = append(s.events, Event{Topic: topic, Payload: json.RawMessage(m.Payload)})
	}
	return nil
}

func (s *sink) Close() error { return nil }

// Outbox returns the outbox of producer, which signs with Keys.
func Outbox(t testing.TB, producer string) *messaging.Outbox {
	t.Helper()
	o, err := messaging.NewOutbox(producer, Keys)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Forge writes msg, as it is (signed or not, with whatever metadata), into
// the outbox in tx, in the form an Outbox stores an event: what someone who
// can write to a module's database could put on the bus through its relay.
func Forge(tx *sqldb.Tx, msg *message.Message) error {
	eventType := msg.Metadata.Get(messaging.MetaEventType)
	pub := forwarder.NewPublisher(stamped{sqlpubsub.NewPublisher(tx, nil), eventType},
		forwarder.PublisherConfig{ForwarderTopic: messaging.OutboxTopic})
	return pub.Publish(eventType, msg)
}

// stamped marks the forwarder's envelope with the event type, as the
// outbox does, so that relays filtering on it carry the event.
type stamped struct {
	message.Publisher
	eventType string
}

func (p stamped) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		m.Metadata.Set(messaging.MetaEventType, p.eventType)
	}
	return p.Publisher.Publish(topic, msgs...)
}
