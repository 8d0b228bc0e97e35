package messaging

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

// PoisonedEvent is an event a module's handlers gave up on, as kept in its
// poison queue.
type PoisonedEvent struct {
	ID         string
	Type       string
	Reason     string
	Attempts   int
	PoisonedAt time.Time
	Message    *message.Message
}

// Metadata keys of a poisoned event whose payload was too large to keep whole.
const (
	// MetaPayloadBytes is the size of the payload as it was delivered.
	MetaPayloadBytes = "payload_bytes"
	// MetaPayloadTruncated is "true" when the poison queue keeps only the
	// first MaxPoisonedPayload bytes of the payload.
	MetaPayloadTruncated = "payload_truncated"
)

// MaxPoisonedPayload is the most of a payload the poison queue keeps, so
// that a flood of large failing events cannot fill the disk.
const MaxPoisonedPayload = 256 << 10

// capped returns msg as the poison queue keeps it: whole, or with the first
// MaxPoisonedPayload bytes of its payload and its size in the metadata.
func capped(msg *message.Message) *message.Message {
	if len(msg.Payload) <= MaxPoisonedPayload {
		return msg
	}
	kept := message.NewMessage(msg.UUID, msg.Payload[:MaxPoisonedPayload:MaxPoisonedPayload])
	kept.Metadata = maps.Clone(msg.Metadata)
	kept.Metadata.Set(MetaPayloadBytes, strconv.Itoa(len(msg.Payload)))
	kept.Metadata.Set(MetaPayloadTruncated, "true")
	kept.SetContext(msg.Context())
	return kept
}

// ErrNotPoisoned means the poison queue holds no event with that id.
var ErrNotPoisoned = errors.New("no such event in the poison queue")

// Poisoned lists db's poison queue, oldest first; with a non-empty id, only
// that event (ErrNotPoisoned when it is not there).
func Poisoned(ctx context.Context, db *sqldb.DB, id string) ([]PoisonedEvent, error) {
	stored, err := sqlpubsub.Messages(ctx, db.Read, PoisonTopic, id)
	if err != nil {
		return nil, err
	}
	if id != "" && len(stored) == 0 {
		return nil, fmt.Errorf("%s: %w", id, ErrNotPoisoned)
	}
	return poisonedEvents(stored, map[string]bool{}), nil
}

// PoisonedPages calls do with db's poison queue, oldest first, pageSize
// events at a time and without their payloads, so that a long queue of
// large events is listed in little memory.
func PoisonedPages(ctx context.Context, db *sqldb.DB, pageSize int, do func([]PoisonedEvent) error) error {
	seen := map[string]bool{}
	for after := int64(0); ; {
		stored, err := sqlpubsub.Headers(ctx, db.Read, PoisonTopic, after, pageSize)
		if err != nil || len(stored) == 0 {
			return err
		}
		after = stored[len(stored)-1].Seq
		if page := poisonedEvents(stored, seen); len(page) > 0 {
			if err := do(page); err != nil {
				return err
			}
		}
	}
}

// poisonedEvents maps stored messages to events, skipping those in seen,
// which it adds them to: a queue that redelivered an event it poisoned
// may poison it twice.
func poisonedEvents(stored []sqlpubsub.Stored, seen map[string]bool) []PoisonedEvent {
	out := make([]PoisonedEvent, 0, len(stored))
	for _, s := range stored {
		if seen[s.Message.UUID] {
			continue
		}
		seen[s.Message.UUID] = true
		attempts, _ := strconv.Atoi(s.Message.Metadata.Get(MetaAttempts))
		out = append(out, PoisonedEvent{
			ID: s.Message.UUID, Type: s.Message.Metadata.Get(MetaEventType),
			Reason: s.Message.Metadata.Get(middleware.ReasonForPoisonedKey), Attempts: attempts,
			PoisonedAt: s.PublishedAt, Message: s.Message,
		})
	}
	return out
}

// PoisonCount returns how many events db's poison queue holds.
func PoisonCount(ctx context.Context, db *sqldb.DB) (int, error) {
	return sqlpubsub.Count(ctx, db.Read, PoisonTopic)
}

// DropPoisoned deletes event id from db's poison queue, unapplied.
func DropPoisoned(ctx context.Context, db *sqldb.DB, id string) error {
	n, err := sqlpubsub.Delete(ctx, db.Write, PoisonTopic, id)
	if err == nil && n == 0 {
		err = fmt.Errorf("%s: %w", id, ErrNotPoisoned)
	}
	return err
}

// Replay applies poisoned event id once more through the inbox, so an
// event whose effect was made already has none, and on success takes it off
// the poison queue. On failure the event stays where it is and the error
// says why.
func (p *Processor) Replay(ctx context.Context, id string) error {
	events, err := Poisoned(ctx, p.db, id)
	if err != nil {
		return err
	}
	ev := events[0]
	if ev.Message.Metadata.Get(MetaPayloadTruncated) == "true" {
		return fmt.Errorf("%s: the poison queue kept only the first %d of its %s bytes: it cannot be replayed",
			id, MaxPoisonedPayload, ev.Message.Metadata.Get(MetaPayloadBytes))
	}
	msg := message.NewMessage(ev.ID, ev.Message.Payload)
	for k, v := range ev.Message.Metadata {
		if k != middleware.ReasonForPoisonedKey && k != middleware.PoisonedTopicKey &&
			k != middleware.PoisonedHandlerKey && k != middleware.PoisonedSubscriberKey && k != MetaAttempts {
			msg.Metadata.Set(k, v)
		}
	}
	msg.SetContext(ctx)
	h, ok := p.handlers[ev.Type]
	if !ok {
		return fmt.Errorf("%s: %s does not consume event type %q", id, p.module, ev.Type)
	}
	run := p.traced(p.correlate(middleware.Recoverer(func(m *message.Message) ([]*message.Message, error) {
		return nil, p.apply(h)(m)
	})))
	if _, err := run(msg); err != nil {
		return fmt.Errorf("%s: still failing: %w", id, err)
	}
	return DropPoisoned(ctx, p.db, id)
}

// OutboxStatus is how far a module's relay is behind.
type OutboxStatus struct {
	// Backlog counts the events committed but not yet relayed by every
	// relay of the outbox (on the in-process bus, one per consumer).
	Backlog int
	// Oldest is when the oldest of them was committed; zero when none is.
	Oldest time.Time
}

// OutboxBacklog returns the status of db's outbox.
func OutboxBacklog(ctx context.Context, db *sqldb.DB) (OutboxStatus, error) {
	n, oldest, err := sqlpubsub.Pending(ctx, db.Read, OutboxTopic)
	return OutboxStatus{Backlog: n, Oldest: oldest}, err
}
