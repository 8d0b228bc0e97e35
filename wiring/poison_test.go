package wiring_test

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/modmono/platform/tracing/tracingtest"
)

func TestAPoisonedEventIsOneLogLineWithItsIdsAndErrorSpans(t *testing.T) {
	exp := tracingtest.Record(t)
	s := startServer(t, "CONSUMER_MAX_RETRIES", "2")
	notifications := openModuleDB(t, s.Config, "notifications")
	execSQL(t, notifications.Write, `ALTER TABLE recipients RENAME TO recipients_broken`)
	s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": "poisoned@example.com", "password": "password123", "name": "P"},
		Header: map[string]string{"traceparent": callerTraceparent, "X-Request-Id": "req-poisoned"}}).expect(t, 201)

	poisonedLine := []string{`"msg":"event poisoned"`, `"module":"notifications"`}
	eventually(t, "the poisoned log line", func() bool { return len(s.logs.matching(poisonedLine...)) > 0 })
	lines := s.logs.matching(poisonedLine...)
	retries := s.logs.matching(`"msg":"event failed; retrying"`, `"module":"notifications"`)
	if len(lines) != 1 || len(retries) != 2 {
		t.Fatalf("%d poisoned and %d retry lines, want 1 and 2", len(lines), len(retries))
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"topic": "users.UserRegistered.v1", "attempt": float64(3), "request_id": "req-poisoned", "trace_id": callerTrace}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v, in %s", k, line[k], v, lines[0])
		}
	}
	if line["event_id"] == "" || line["event_id"] == nil {
		t.Errorf("no event_id in %s", lines[0])
	}
	if doubled := s.logs.matching(`Error occurred, retrying`); len(doubled) != 0 {
		t.Errorf("Watermill logs the retries too: %v", doubled)
	}

	spans := spansOf(exp).find("process users.UserRegistered.v1", "notifications")
	if len(spans) != 3 {
		t.Fatalf("%d process spans, want one per attempt: 3", len(spans))
	}
	poisoned := 0
	for _, sp := range spans {
		if sp.Status.Code != codes.Error {
			t.Errorf("a failed attempt's span ended %v, want ERROR", sp.Status)
		}
		if hasBool(sp, "modmono.poisoned") {
			poisoned++
		}
	}
	if poisoned != 1 {
		t.Errorf("%d spans say the event was poisoned, want 1", poisoned)
	}
}

func hasBool(s tracetest.SpanStub, key string) bool {
	for _, a := range s.Attributes {
		if string(a.Key) == key && a.Value.AsBool() {
			return true
		}
	}
	return false
}
