package messaging_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
)

// poisonDirectly returns a processor whose every event is malformed, so
// that Handle puts it in the poison queue at once.
func poisonDirectly(t *testing.T, db *sqldb.DB) *messaging.Processor {
	t.Helper()
	malformed := func(context.Context, *sqldb.Tx, messaging.Event) error { return messaging.Malformed(errors.New("bad")) }
	p, err := messaging.NewProcessor("test", db, []messaging.Handler{{Topic: "t.v1", Apply: malformed}}, quiet, messaging.ProcessorConfig{Keys: messagingtest.Keys})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func poison(t *testing.T, p *messaging.Processor, id string, payload []byte) {
	t.Helper()
	msg := message.NewMessage(id, payload)
	msg.Metadata.Set(messaging.MetaEventType, "t.v1")
	if err := p.Handle(context.Background(), messagingtest.Signed(msg), 1); err != nil {
		t.Fatal(err)
	}
}

func TestALargePoisonedPayloadIsKeptCappedWithItsSize(t *testing.T) {
	db := openDB(t)
	p := poisonDirectly(t, db)
	large := bytes.Repeat([]byte("x"), 1<<20)
	poison(t, p, "large", large)

	events, err := messaging.Poisoned(context.Background(), db, "large")
	if err != nil {
		t.Fatal(err)
	}
	kept := events[0].Message
	if len(kept.Payload) != messaging.MaxPoisonedPayload || !bytes.Equal(kept.Payload, large[:len(kept.Payload)]) {
		t.Fatalf("kept %d bytes, want the first %d", len(kept.Payload), messaging.MaxPoisonedPayload)
	}
	if kept.Metadata.Get(messaging.MetaPayloadBytes) != strconv.Itoa(1<<20) || kept.Metadata.Get(messaging.MetaPayloadTruncated) != "true" {
		t.Fatalf("metadata %v does not say the payload was cut from 1 MiB", kept.Metadata)
	}
	if kept.Metadata.Get(messaging.MetaEventType) != "t.v1" || events[0].Reason == "" {
		t.Fatalf("the capped event lost its metadata: %v", kept.Metadata)
	}
	if err := p.Replay(context.Background(), "large"); err == nil || !strings.Contains(err.Error(), "cannot be replayed") {
		t.Fatalf("replaying a cut payload: %v, want a refusal", err)
	}
}

func TestPoisonedEventsAreListedInPagesWithoutPayloads(t *testing.T) {
	db := openDB(t)
	p := poisonDirectly(t, db)
	for _, id := range []string{"a", "b", "c"} {
		poison(t, p, id, []byte(`{"big":"payload"}`))
	}
	poison(t, p, "a", []byte(`{"big":"payload"}`)) // redelivered, poisoned twice: listed once

	var ids []string
	pages := 0
	err := messaging.PoisonedPages(context.Background(), db, 2, func(page []messaging.PoisonedEvent) error {
		pages++
		for _, ev := range page {
			if len(ev.Message.Payload) != 0 || ev.Type != "t.v1" || ev.Attempts != 1 {
				t.Errorf("listed %+v, want its metadata without its payload", ev)
			}
			ids = append(ids, ev.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "a,b,c" || pages != 2 {
		t.Fatalf("listed %v in %d pages, want a, b, c in 2", ids, pages)
	}
}

func TestPoisonedEventsAreForgottenAfterTheirRetention(t *testing.T) {
	db := openDB(t)
	p := poisonDirectly(t, db)
	poison(t, p, "old", []byte("{}"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.ForgetHandled(ctx, time.Hour, 40*time.Millisecond) }()
	awaitEmpty(t, db, "pubsub_messages")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
