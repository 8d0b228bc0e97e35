package messaging_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
)

const (
	usersOld = "users/2026-06=" + "old-users-secret-old-users-secret-0"
	usersNew = "users/2026-12=" + "new-users-secret-new-users-secret-0"
	orders   = "orders/2026-12=" + "the-orders-secret-the-orders-secret"
)

func keys(t *testing.T, text string) *messaging.Keys {
	t.Helper()
	k, err := messaging.ParseKeys(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signedEvent is an event on topic, as producer's outbox writes it at at,
// signed with producer's first key in k.
func signedEvent(t *testing.T, k *messaging.Keys, producer, topic string, at time.Time) *message.Message {
	t.Helper()
	m := message.NewMessage("0193a1b2-0000-7000-8000-000000000001", []byte(`{"user_id":"u-1"}`))
	m.Metadata.Set(messaging.MetaEventType, topic)
	m.Metadata.Set(messaging.MetaProducer, producer)
	m.Metadata.Set(messaging.MetaOccurredAt, at.UTC().Format(time.RFC3339Nano))
	if err := k.Sign(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestKeysRefuseWhatTheirProducerDidNotWrite(t *testing.T) {
	now := time.Now()
	consumer := keys(t, usersNew+","+usersOld+","+orders)
	const topic = "users.UserDeleted.v1"
	tamper := func(f func(m *message.Message)) *message.Message {
		m := signedEvent(t, keys(t, usersNew), "users", topic, now)
		f(m)
		return m
	}
	cases := []struct {
		name string
		msg  *message.Message
		want string // in the error; "" for an authentic event
	}{
		{"signed with the current key", signedEvent(t, keys(t, usersNew), "users", topic, now), ""},
		{"signed with the key before a rotation", signedEvent(t, keys(t, usersOld), "users", topic, now), ""},
		{"a little ahead of the consumer's clock", signedEvent(t, keys(t, usersNew), "users", topic, now.Add(30*time.Second)), ""},
		{"unsigned", tamper(func(m *message.Message) { delete(m.Metadata, messaging.MetaSignature) }), "unsigned"},
		{"another payload", tamper(func(m *message.Message) { m.Payload = []byte(`{"user_id":"victim"}`) }), "bad signature"},
		{"another id", tamper(func(m *message.Message) { m.UUID = "0193a1b2-0000-7000-8000-000000000002" }), "bad signature"},
		{"another time", tamper(func(m *message.Message) {
			m.Metadata.Set(messaging.MetaOccurredAt, now.Add(-time.Hour).Format(time.RFC3339Nano))
		}), "bad signature"},
		{"a signature cut short", tamper(func(m *message.Message) {
			m.Metadata.Set(messaging.MetaSignature, m.Metadata.Get(messaging.MetaSignature)[:40])
		}), "bad signature"},
		{"an unknown key", signedEvent(t, keys(t, "users/stolen=an-attackers-own-secret-of-32-bytes"), "users", topic, now), "unknown key"},
		{"another module's key", func() *message.Message {
			m := signedEvent(t, keys(t, orders), "orders", topic, now)
			m.Metadata.Set(messaging.MetaProducer, "users")
			return m
		}(), "signed with a key of orders"},
		{"a topic its producer may not publish", signedEvent(t, keys(t, orders), "orders", topic, now), "orders may not publish users.UserDeleted.v1"},
		{"another event type than its topic", signedEvent(t, keys(t, usersNew), "users", "users.UserRegistered.v1", now), "arrived on topic"},
		{"dated in the future", signedEvent(t, keys(t, usersNew), "users", topic, now.Add(2*time.Minute)), "in the future"},
		{"dated 2099", signedEvent(t, keys(t, usersNew), "users", topic, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)), "in the future"},
		{"undated", tamper(func(m *message.Message) { delete(m.Metadata, messaging.MetaOccurredAt) }), "bad signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := consumer.Verify(c.msg, topic, now)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused an authentic event: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("Verify: %v, want an error saying %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Fatalf("the error shows a secret: %v", err)
			}
		})
	}
}

func TestParseKeysNamesTheBadKeyAndNoSecret(t *testing.T) {
	for text, want := range map[string]string{
		"":                                    "no keys",
		"users=" + strings.Repeat("s", 40):    "entry 1 is not",
		"users/a=short-secret":                "key users/a: secret shorter than 32 bytes",
		usersNew + "," + usersNew:             "key users/2026-12 is listed twice",
		"us ers/a=" + strings.Repeat("s", 40): "entry 1 is not",
	} {
		_, err := messaging.ParseKeys(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKeys(%q): %v, want %q", text, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "short-secret") {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

// A producer signs with its first key; every listed key still verifies, so
// keys rotate without losing the events in flight.
func TestTheFirstKeyOfAProducerSigns(t *testing.T) {
	k := keys(t, usersNew+","+usersOld)
	m := signedEvent(t, k, "users", "users.UserDeleted.v1", time.Now())
	if got := m.Metadata.Get(messaging.MetaSignature); !strings.HasPrefix(got, "users/2026-12:") {
		t.Fatalf("signature %q, want one by users/2026-12", got)
	}
	other := message.NewMessage("id", nil)
	other.Metadata.Set(messaging.MetaProducer, "orders")
	if err := k.Sign(other); err == nil {
		t.Fatal("signed for a producer with no key")
	}
}

// BenchmarkSignAndVerify measures what authenticity costs an event of a
// typical size (an OrderPlaced of two lines: some 400 bytes): one Sign by
// the outbox and one Verify by a consumer.
func BenchmarkSignAndVerify(b *testing.B) {
	k, err := messaging.ParseKeys(usersNew)
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(strings.Repeat("x", 400))
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		m := message.NewMessage("0193a1b2-0000-7000-8000-000000000001", payload)
		m.Metadata.Set(messaging.MetaEventType, "users.UserDeleted.v1")
		m.Metadata.Set(messaging.MetaProducer, "users")
		m.Metadata.Set(messaging.MetaOccurredAt, now.Format(time.RFC3339Nano))
		if err := k.Sign(m); err != nil {
			b.Fatal(err)
		}
		if err := k.Verify(m, "users.UserDeleted.v1", now); err != nil {
			b.Fatal(err)
		}
	}
}
