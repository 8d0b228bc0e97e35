package messaging

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// MetaSignature is the metadata key of an event's signature:
// "<key id>:<HMAC-SHA256, base64url>", where the key id is
// "<producer>/<name>" (see Keys).
const MetaSignature = "signature"

// MinKeyLen is the shortest signing secret Keys takes, in bytes.
const MinKeyLen = 32

// DefaultClockSkew is how far in the future an event's occurred_at may lie
// before consumers refuse it.
const DefaultClockSkew = time.Minute

// Keys are the event signing keys a process holds: per producing module,
// the key it signs with and every key its events may still carry.
//
// A producer signs with the first of its keys listed; consumers take any
// of them. Since the keys are HMAC secrets, a process that verifies a
// producer's events could also sign them: give each process only the keys
// of the modules it runs and of those whose events it consumes.
type Keys struct {
	byID    map[string]signingKey
	signing map[string]signingKey // by producer
	// ClockSkew is how far in the future occurred_at may be; later events
	// are refused. Default: DefaultClockSkew.
	ClockSkew time.Duration
}

type signingKey struct {
	id       string
	producer string
	secret   []byte
}

// ParseKeys reads keys in the form EVENT_SIGNING_KEYS takes: a
// comma-separated list of <producer>/<name>=<secret>, for instance
// "users/2026-12=…,orders/2026-12=…". Names and producers are letters,
// digits, '.', '_' and '-'; secrets are at least MinKeyLen bytes. Errors
// name the key, never a secret.
func ParseKeys(s string) (*Keys, error) {
	k := &Keys{byID: map[string]signingKey{}, signing: map[string]signingKey{}}
	var errs []error
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, secret, ok := strings.Cut(entry, "=")
		producer, name, okID := strings.Cut(id, "/")
		switch {
		case !ok || !okID || !validKeyPart(producer) || !validKeyPart(name):
			errs = append(errs, fmt.Errorf("entry %d is not <module>/<key name>=<secret>", i+1))
			continue
		case len(secret) < MinKeyLen:
			errs = append(errs, fmt.Errorf("key %s: secret shorter than %d bytes", id, MinKeyLen))
			continue
		case k.byID[id].id != "":
			errs = append(errs, fmt.Errorf("key %s is listed twice", id))
			continue
		}
		key := signingKey{id: id, producer: producer, secret: []byte(secret)}
		k.byID[id] = key
		if _, ok := k.signing[producer]; !ok {
			k.signing[producer] = key
		}
	}
	if len(errs) == 0 && len(k.byID) == 0 {
		errs = append(errs, errors.New("no keys"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return k, nil
}

func validKeyPart(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// GenerateKeys returns, in ParseKeys's form, one new random key named name
// for each of producers.
func GenerateKeys(name string, producers ...string) string {
	entries := make([]string, len(producers))
	for i, p := range producers {
		entries[i] = p + "/" + name + "=" + rand.Text() + rand.Text() // 260 random bits
	}
	return strings.Join(entries, ",")
}

// Producers lists the modules k holds keys of, sorted.
func (k *Keys) Producers() []string {
	return slices.Sorted(maps.Keys(k.signing))
}

// Has reports whether k holds a key of producer.
func (k *Keys) Has(producer string) bool {
	_, ok := k.signing[producer]
	return ok
}

// Sign signs msg, whose metadata must name its producer, with that
// producer's signing key.
func (k *Keys) Sign(msg *message.Message) error {
	producer := msg.Metadata.Get(MetaProducer)
	key, ok := k.signing[producer]
	if !ok {
		return fmt.Errorf("no signing key of producer %q", producer)
	}
	msg.Metadata.Set(MetaSignature, key.id+":"+base64.RawURLEncoding.EncodeToString(key.mac(msg)))
	return nil
}

// Verify checks, before anything else is done with msg, that it is the
// event on topic that its producer wrote: signed with a key of the
// producer its metadata names, which owns topic (the first part of the
// topic's name), and not dated further than ClockSkew after now. The error
// says which check failed, with no secret in it.
func (k *Keys) Verify(msg *message.Message, topic string, now time.Time) error {
	sig := msg.Metadata.Get(MetaSignature)
	if sig == "" {
		return errors.New("unsigned event")
	}
	id, mac, _ := strings.Cut(sig, ":")
	key, ok := k.byID[id]
	if !ok {
		return fmt.Errorf("signed with an unknown key %q", clip(id))
	}
	producer := msg.Metadata.Get(MetaProducer)
	if key.producer != producer {
		return fmt.Errorf("signed with a key of %s, but names producer %q", key.producer, clip(producer))
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, key.mac(msg)) {
		return fmt.Errorf("bad signature (key %s)", key.id)
	}
	if owner, _, _ := strings.Cut(topic, "."); owner != producer {
		return fmt.Errorf("producer %s may not publish %s", producer, topic)
	}
	if t := msg.Metadata.Get(MetaEventType); t != topic {
		return fmt.Errorf("event type %q arrived on topic %s", clip(t), topic)
	}
	at, err := time.Parse(time.RFC3339Nano, msg.Metadata.Get(MetaOccurredAt))
	if err != nil {
		return errors.New("no valid occurred_at")
	}
	skew := k.ClockSkew
	if skew <= 0 {
		skew = DefaultClockSkew
	}
	if at.After(now.Add(skew)) {
		return fmt.Errorf("occurred_at %s is in the future (more than %s after %s)",
			at.UTC().Format(time.RFC3339), skew, now.UTC().Format(time.RFC3339))
	}
	return nil
}

// mac is the HMAC-SHA256 of what an event's signature covers: the key id,
// the event's id, type, producer and time, and its payload, each
// length-prefixed so that no two events share an encoding.
func (key signingKey) mac(msg *message.Message) []byte {
	h := hmac.New(sha256.New, key.secret)
	for _, field := range []string{"modmono event v1", key.id, msg.UUID, msg.Metadata.Get(MetaEventType),
		msg.Metadata.Get(MetaProducer), msg.Metadata.Get(MetaOccurredAt)} {
		writeField(h, []byte(field))
	}
	writeField(h, msg.Payload)
	return h.Sum(nil)
}

func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// clip shortens text an event brought, for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
