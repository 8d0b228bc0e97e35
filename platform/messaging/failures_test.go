package messaging_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/tracing/tracingtest"
)

const (
	failingTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	failingSpan  = "00f067aa0ba902b7"
)

// jsonLog keeps the JSON lines of a logger, decoded.
type jsonLog struct {
	mu    sync.Mutex
	lines []map[string]any
}

func (l *jsonLog) Write(p []byte) (int, error) {
	var line map[string]any
	if err := json.Unmarshal(p, &line); err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	return len(p), nil
}

// matching returns the lines whose msg contains text.
func (l *jsonLog) matching(text string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range l.lines {
		if strings.Contains(fmt.Sprint(line["msg"]), text) {
			out = append(out, line)
		}
	}
	return out
}

func failingEvent(id string) *message.Message {
	msg := message.NewMessage(id, []byte("fails"))
	msg.Metadata.Set(messaging.MetaEventType, "t.v1")
	msg.Metadata.Set("traceparent", "00-"+failingTrace+"-"+failingSpan+"-01")
	middleware.SetCorrelationID("corr-"+id, msg)
	return messagingtest.Signed(msg)
}

func failing(context.Context, *sqldb.Tx, messaging.Event) error {
	return errors.New("downstream is broken")
}

// expectLine checks that line is about attempt at event id, with the ids an
// operator searches by.
func expectLine(t *testing.T, line map[string]any, id string, attempt int) {
	t.Helper()
	want := map[string]any{"module": "test", "topic": "t.v1", "event_id": id, "attempt": float64(attempt),
		"request_id": "corr-" + id, "trace_id": failingTrace}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v, in %v", k, line[k], v, line)
		}
	}
}

// processSpans returns the process spans of event id, in the order they ended.
func processSpans(exp *tracetest.InMemoryExporter, id string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		for _, a := range s.Attributes {
			if a.Key == "messaging.message.id" && a.Value.AsString() == id && strings.HasPrefix(s.Name, "process") {
				out = append(out, s)
			}
		}
	}
	return out
}

func poisonedMark(s tracetest.SpanStub) bool {
	for _, a := range s.Attributes {
		if a.Key == "modmono.poisoned" && a.Value.AsBool() {
			return true
		}
	}
	return false
}

// expectFailedSpans checks event id has one ERROR process span per attempt,
// the last marked poisoned when poisoned is true.
func expectFailedSpans(t *testing.T, exp *tracetest.InMemoryExporter, id string, attempts int, poisoned bool) {
	t.Helper()
	spans := processSpans(exp, id)
	if len(spans) != attempts {
		t.Fatalf("%d process spans of %s, want one per attempt: %d", len(spans), id, attempts)
	}
	for i, s := range spans {
		if s.Status.Code != codes.Error || len(s.Events) == 0 {
			t.Errorf("span of attempt %d: status %v, events %v; want ERROR with the error recorded", i+1, s.Status, s.Events)
		}
		if s.Parent.SpanID().String() != failingSpan {
			t.Errorf("span of attempt %d is a child of %s, want the producer's span", i+1, s.Parent.SpanID())
		}
		if last := i == len(spans)-1; poisonedMark(s) != (last && poisoned) {
			t.Errorf("span of attempt %d: modmono.poisoned is %v", i+1, poisonedMark(s))
		}
	}
}

func TestAnEventRetriedThenPoisonedOnTheBusLogsOneLinePerAttemptAndEndsErrorSpans(t *testing.T) {
	exp := tracingtest.Record(t)
	logs := &jsonLog{}
	db, bus := openDB(t), newBus(t)
	p, err := messaging.NewProcessor("test", db, []messaging.Handler{{Topic: "t.v1", Apply: failing}},
		logging.New(logs, slog.LevelWarn, logging.JSON), messaging.ProcessorConfig{Keys: messagingtest.Keys, MaxRetries: 2, InitialInterval: time.Second / 100})
	if err != nil {
		t.Fatal(err)
	}
	c, err := messaging.NewConsumer(p, bus)
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)

	if err := bus.Publish("t.v1", failingEvent("ev-1")); err != nil {
		t.Fatal(err)
	}
	if got := poisonQueue(t, db, 1); len(got) != 1 || got[0].attempts != "3" {
		t.Fatalf("poison queue %+v, want the event after 3 attempts", got)
	}
	retries, poisoned := logs.matching("retrying"), logs.matching("poisoned")
	if len(retries) != 2 || len(poisoned) != 1 {
		t.Fatalf("%d retry lines and %d poisoned lines, want 2 and 1", len(retries), len(poisoned))
	}
	for i, line := range retries {
		expectLine(t, line, "ev-1", i+1)
		if want := fmt.Sprint(time.Duration(i+1) * 10 * time.Millisecond); line["retry_in"] != want {
			t.Errorf("retry_in %v, want %q", line["retry_in"], want)
		}
	}
	expectLine(t, poisoned[0], "ev-1", 3)
	if n := len(logs.matching("")); n != 3 {
		t.Errorf("%d warnings and errors, want one per attempt: 3", n)
	}
	expectFailedSpans(t, exp, "ev-1", 3, true)
}

func TestAnEventRetriedThenPoisonedThroughHandleLogsOneLinePerAttemptAndEndsErrorSpans(t *testing.T) {
	exp := tracingtest.Record(t)
	logs := &jsonLog{}
	db := openDB(t)
	p, err := messaging.NewProcessor("test", db, []messaging.Handler{{Topic: "t.v1", Apply: failing}},
		logging.New(logs, slog.LevelWarn, logging.JSON), messaging.ProcessorConfig{Keys: messagingtest.Keys, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Handle(ctx, failingEvent("ev-2"), 1); err == nil {
		t.Fatal("a failing first delivery was acknowledged")
	}
	if err := p.Handle(ctx, failingEvent("ev-2"), 2); err != nil {
		t.Fatalf("the delivery past MaxRetries was not poisoned: %v", err)
	}
	if err := p.Poison(ctx, failingEvent("ev-3"), errors.New("not a bus message")); err != nil {
		t.Fatal(err)
	}

	retries, poisoned := logs.matching("deliver it again"), logs.matching("poisoned")
	if len(retries) != 1 || len(poisoned) != 2 || len(logs.matching("")) != 3 {
		t.Fatalf("%d retry lines, %d poisoned lines, %d in all; want 1, 2 and 3", len(retries), len(poisoned), len(logs.matching("")))
	}
	expectLine(t, retries[0], "ev-2", 1)
	expectLine(t, poisoned[0], "ev-2", 2)
	expectLine(t, poisoned[1], "ev-3", 1)
	expectFailedSpans(t, exp, "ev-2", 2, true)
	expectFailedSpans(t, exp, "ev-3", 1, true)

	// A queue that does not count deliveries (Pub/Sub push) gets the bus's retries.
	if err := p.Handle(ctx, failingEvent("ev-4"), 0); err != nil {
		t.Fatalf("the event was not poisoned after its retries: %v", err)
	}
	retries, poisoned = logs.matching("retrying"), logs.matching("poisoned")
	if len(retries) != 1 || len(poisoned) != 3 || len(logs.matching("")) != 5 {
		t.Fatalf("%d retry lines, %d poisoned lines, %d in all; want 1, 3 and 5", len(retries), len(poisoned), len(logs.matching("")))
	}
	expectLine(t, retries[0], "ev-4", 1)
	expectLine(t, poisoned[2], "ev-4", 2)
	expectFailedSpans(t, exp, "ev-4", 2, true)
}
