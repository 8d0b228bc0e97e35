package wiring_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"example.com/modmono/platform/gcffn"
	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/wiring"
)

// rotatedKeys are the test keys with a newer key of users listed first:
// users signs with users/2026-12, and consumers still take users/test.
var rotatedKeys = "users/2026-12=" + strings.Repeat("rotated-", 5) + "," + messagingtest.KeysText

// forgery is an event someone other than its producer made.
type forgery struct {
	name   string
	reason string // what the poison queue says
	topic  string
	// make returns the forged event about the victim.
	make func(t *testing.T, victim string) *message.Message
}

var attackerAddress = map[string]any{"line1": "1 Attacker Way", "city": "Evil", "postal_code": "666", "country": "XX"}

func forgeries() []forgery {
	const (
		registered = "users.UserRegistered.v1"
		moved      = "users.UserAddressUpdated.v1"
		deleted    = "users.UserDeleted.v1"
	)
	wrongSecret, _ := messaging.ParseKeys("users/test=" + strings.Repeat("guessed-", 5))
	ordersKey, _ := messaging.ParseKeys("orders/test=" + strings.Repeat("orders", 32/len("orders")+1))
	return []forgery{
		{"a wrong signature", "bad signature", registered, func(t *testing.T, victim string) *message.Message {
			m := forgedEvent(t, registered, "users", time.Now(), map[string]any{"user_id": victim,
				"email": "attacker@evil.test", "name": "Victim", "registered_at": time.Now()})
			return signWith(t, wrongSecret, m)
		}},
		{"no signature", "unsigned event", deleted, func(t *testing.T, victim string) *message.Message {
			return forgedEvent(t, deleted, "users", time.Now(), map[string]any{"user_id": victim, "deleted_at": time.Now()})
		}},
		{"another module's key", "signed with a key of orders", deleted, func(t *testing.T, victim string) *message.Message {
			m := forgedEvent(t, deleted, "orders", time.Now(), map[string]any{"user_id": victim, "deleted_at": time.Now()})
			signWith(t, ordersKey, m)
			m.Metadata.Set(messaging.MetaProducer, "users")
			return m
		}},
		{"a topic its producer may not publish", "orders may not publish users.UserDeleted.v1", deleted, func(t *testing.T, victim string) *message.Message {
			m := forgedEvent(t, deleted, "orders", time.Now(), map[string]any{"user_id": victim, "deleted_at": time.Now()})
			return signWith(t, ordersKey, m)
		}},
		{"a future timestamp", "in the future", moved, func(t *testing.T, victim string) *message.Message {
			future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			m := forgedEvent(t, moved, "users", future, map[string]any{"user_id": victim, "address": attackerAddress, "updated_at": future})
			return signWith(t, messagingtest.Keys, m) // the producer's own key: its clock is wrong
		}},
	}
}

// forgedEvent is an unsigned event with the metadata an outbox gives it.
func forgedEvent(t *testing.T, topic, producer string, at time.Time, payload any) *message.Message {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	m := message.NewMessage(uuid.NewString(), body)
	m.Metadata.Set(messaging.MetaEventID, m.UUID)
	m.Metadata.Set(messaging.MetaEventType, topic)
	m.Metadata.Set(messaging.MetaProducer, producer)
	m.Metadata.Set(messaging.MetaOccurredAt, at.UTC().Format(time.RFC3339Nano))
	return m
}

func signWith(t *testing.T, k *messaging.Keys, m *message.Message) *message.Message {
	t.Helper()
	if err := k.Sign(m); err != nil {
		t.Fatal(err)
	}
	return m
}

// consumersOf are the modules that take a users topic.
var consumersOf = map[string][]string{
	"users.UserRegistered.v1":     {"notifications"},
	"users.UserAddressUpdated.v1": {"orders", "notifications"},
	"users.UserDeleted.v1":        {"orders", "notifications"},
}

// expectPoisoned waits until db's poison queue holds the event id,
// poisoned at the first attempt for reason.
func expectPoisoned(t *testing.T, db *sqldb.DB, module, id, reason string) {
	t.Helper()
	var got []messaging.PoisonedEvent
	eventually(t, module+" to poison "+id, func() bool {
		var err error
		got, err = messaging.Poisoned(context.Background(), db, id)
		return err == nil && len(got) == 1
	})
	if p := got[0]; !strings.Contains(p.Reason, "not authentic") || !strings.Contains(p.Reason, reason) || p.Attempts != 1 {
		t.Errorf("%s poisoned %s after %d attempts for %q; want one attempt, not authentic: %s", module, id, p.Attempts, p.Reason, reason)
	}
}

// Events that their producer did not write are poisoned, unapplied, by
// every consumer, whichever bus carries them (TEST_BUS picks the
// in-process bus or NATS); the users module's own events, signed with its
// newest key, and an event signed with the key before it are applied.
func TestForgedEventsArePoisonedAndNeverApplied(t *testing.T) {
	s := startServer(t, "EVENT_SIGNING_KEYS", rotatedKeys)
	victim, token := s.signUp(t) // its UserRegistered is signed with users/2026-12
	s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: testAddress}).expect(t, 200)
	eventually(t, "the welcome and address notifications", func() bool { return len(s.notifications(t, token)) == 2 })
	placed := s.placeOrder(t, token, orderBody("before"), nil)

	// Someone who can write to the users database puts forged events on
	// the bus through its relay.
	users := openModuleDB(t, s.Config, "users")
	fs := forgeries()
	ids := make([]string, len(fs))
	err := users.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		for i, f := range fs {
			m := f.make(t, victim.ID)
			ids[i] = m.UUID
			if err := messagingtest.Forge(tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fs {
		for _, module := range consumersOf[f.topic] {
			t.Run(f.name+" → "+module, func(t *testing.T) {
				expectPoisoned(t, openModuleDB(t, s.Config, module), module, ids[i], f.reason)
			})
		}
	}

	// An address change signed with the key before the rotation is applied.
	rotated := map[string]string{"line1": "2 Rotated St", "city": "Berlin", "postal_code": "10115", "country": "DE"}
	err = users.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		m := forgedEvent(t, "users.UserAddressUpdated.v1", "users", time.Now(),
			map[string]any{"user_id": victim.ID, "address": rotated, "updated_at": time.Now()})
		return messagingtest.Forge(tx, signWith(t, messagingtest.Keys, m))
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the address signed with the older key to reach orders", func() bool {
		body := orderBody("after")
		delete(body, "shipping_address") // ships to the address orders keeps
		o := s.placeOrder(t, token, body, nil)
		return o.ShippingAddress["line1"] == "2 Rotated St"
	})

	// None of the forgeries took effect.
	s.do(t, request{Method: "GET", Path: "/v1/orders/" + placed.ID, Token: token}).expect(t, 200).decode(t, &placed)
	if placed.Status != "placed" {
		t.Errorf("the victim's order is %s after forged deletions", placed.Status)
	}
	for _, n := range s.notifications(t, token) {
		if strings.Contains(n.Body, "Attacker") || strings.Contains(n.Body, "attacker") {
			t.Errorf("a forged event made a notification: %+v", n)
		}
	}
	if lines := s.logs.matching("attacker@evil.test"); len(lines) > 0 {
		t.Errorf("a forged event reached the sender: %q", lines)
	}
}

// A function takes only authentic events, from an SQS record (Lambda) as
// from a Pub/Sub CloudEvent (Cloud Functions), and poisons the others with
// the reason.
func TestFunctionsPoisonForgedEvents(t *testing.T) {
	fs := startFunctions(t)
	notifications := openModuleDB(t, testConfig(t, fs.dataDir), "notifications")
	victim := uuid.NewString()

	t.Run("Lambda, from SQS records", func(t *testing.T) {
		for _, f := range forgeries() { // notifications consumes each of their topics
			m := f.make(t, victim)
			body, err := messaging.MarshalMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			if failed := fs.sqsBatch(t, "notifications", sqsRecord(t, "r-"+m.UUID, string(body), "1")); len(failed) != 0 {
				t.Fatalf("%s: reported failed %v; a forgery is poisoned, not retried", f.name, failed)
			}
			expectPoisoned(t, notifications, "notifications", m.UUID, f.reason)
		}
	})
	t.Run("Cloud Functions, from Pub/Sub CloudEvents", func(t *testing.T) {
		events := gcffn.Events(fs.handlers["notifications"].fn.Processor, logging.New(&logBuffer{t: t}, 0, logging.JSON))
		for _, f := range forgeries() {
			m := f.make(t, victim)
			ce := cloudevents.NewEvent()
			ce.SetID("ce-" + m.UUID)
			ce.SetType("google.cloud.pubsub.topic.v1.messagePublished")
			ce.SetSource("//pubsub.googleapis.com/projects/p/topics/events")
			data := map[string]any{"message": map[string]any{"messageId": "ps-" + m.UUID,
				"data": base64.StdEncoding.EncodeToString(m.Payload), "attributes": map[string]string(m.Metadata)}}
			if err := ce.SetData(cloudevents.ApplicationJSON, data); err != nil {
				t.Fatal(err)
			}
			if err := events(context.Background(), ce); err != nil {
				t.Fatalf("%s: %v; a forgery is poisoned, not retried", f.name, err)
			}
			expectPoisoned(t, notifications, "notifications", m.UUID, f.reason)
		}
	})
	t.Run("an authentic event is applied", func(t *testing.T) {
		m := forgedEvent(t, "users.UserRegistered.v1", "users", time.Now(), map[string]any{"user_id": victim,
			"email": "victim@example.com", "name": "Victim", "registered_at": time.Now()})
		body, _ := messaging.MarshalMessage(signWith(t, messagingtest.Keys, m))
		if failed := fs.sqsBatch(t, "notifications", sqsRecord(t, "r-ok", string(body), "1")); len(failed) != 0 {
			t.Fatalf("reported failed %v", failed)
		}
		if got, _ := messaging.Poisoned(context.Background(), notifications, m.UUID); len(got) != 0 {
			t.Fatalf("an authentic event was poisoned: %s", got[0].Reason)
		}
	})
}

// A function will not start without the keys of the producers whose events
// it consumes, and a server on NATS not without EVENT_SIGNING_KEYS at all.
func TestEventSigningKeysAreRequiredWhereEventsCrossProcesses(t *testing.T) {
	vars := map[string]string{"APP_MODE": "lambda", "APP_MODULE": "orders", "JWT_SECRET": testEnv["JWT_SECRET"]}
	if _, err := wiring.LoadConfig(func(k string) string { return vars[k] }); err == nil || !strings.Contains(err.Error(), "EVENT_SIGNING_KEYS") {
		t.Errorf("a function without EVENT_SIGNING_KEYS: %v, want an error naming it", err)
	}
	vars = map[string]string{"BUS": "nats", "NATS_URL": "nats://127.0.0.1:4222"}
	if _, err := wiring.LoadConfig(func(k string) string { return vars[k] }); err == nil || !strings.Contains(err.Error(), "EVENT_SIGNING_KEYS") {
		t.Errorf("a server on NATS without EVENT_SIGNING_KEYS: %v, want an error naming it", err)
	}
	// orders consumes users' events: with only its own key it cannot check them.
	cfg := testConfig(t, t.TempDir(), "APP_MODE", "lambda", "APP_MODULE", "orders",
		"EVENT_SIGNING_KEYS", "orders/k1="+strings.Repeat("o", 40))
	_, _, err := wiring.InitializeFunction(cfg, logging.New(&logBuffer{t: t}, 0, logging.JSON), "orders")
	if err == nil || !strings.Contains(err.Error(), "no event signing key of users") {
		t.Errorf("orders without users' key: %v, want an error saying so", err)
	}
}

// Without EVENT_SIGNING_KEYS a server on the in-process bus signs with keys
// it generates once, readable by its owner only, and keeps using them, so
// that events waiting in an outbox across a restart still verify.
func TestAServerOnTheInProcessBusGeneratesItsEventKeysOnce(t *testing.T) {
	s := startServer(t, "BUS", "inprocess", "EVENT_SIGNING_KEYS", "")
	_, token := s.signUp(t)
	eventually(t, "the welcome notification", func() bool { return len(s.notifications(t, token)) == 1 })

	path := filepath.Join(s.Config.DataDir, "event-signing-keys")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
	}
	before, _ := os.ReadFile(path)
	keys, err := messaging.ParseKeys(string(before))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys.Producers(); !slices.Equal(got, []string{"notifications", "orders", "users"}) {
		t.Errorf("generated keys of %v, want one per module", got)
	}

	_, cleanup, err := wiring.InitializeServer(s.Config, logging.New(&logBuffer{t: t}, 0, logging.JSON))
	if err != nil {
		t.Fatal(err)
	}
	cleanup()
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a second start generated new keys")
	}
}
