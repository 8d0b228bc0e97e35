package wiring_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	cloudevents "github.com/cloudevents/sdk-go/v2"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/gcffn"
	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/tracing"
	"example.com/modmono/platform/tracing/tracingtest"
)

// The caller's trace: every span of a request's event path must join it.
const (
	callerTrace       = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan        = "00f067aa0ba902b7"
	callerTraceparent = "00-" + callerTrace + "-" + callerSpan + "-01"
)

// spanTree indexes recorded spans of one trace.
type spanTree map[trace.SpanID]tracetest.SpanStub

func spansOf(exp *tracetest.InMemoryExporter) spanTree {
	tree := spanTree{}
	for _, s := range exp.GetSpans() {
		if s.SpanContext.TraceID().String() == callerTrace {
			tree[s.SpanContext.SpanID()] = s
		}
	}
	return tree
}

// find returns the spans named name (with attribute module=module when
// module is not "").
func (tree spanTree) find(name, module string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range tree {
		if s.Name != name {
			continue
		}
		if module != "" && !hasAttr(s, "modmono.module", module) {
			continue
		}
		out = append(out, s)
	}
	return out
}

func hasAttr(s tracetest.SpanStub, key, value string) bool {
	for _, a := range s.Attributes {
		if string(a.Key) == key && a.Value.AsString() == value {
			return true
		}
	}
	return false
}

func hasIntAttr(s tracetest.SpanStub, key string, value int64) bool {
	for _, a := range s.Attributes {
		if string(a.Key) == key && a.Value.AsInt64() == value {
			return true
		}
	}
	return false
}

// path returns the names of s and its ancestors up to the caller's span.
func (tree spanTree) path(s tracetest.SpanStub) []string {
	names := []string{s.Name}
	for s.Parent.SpanID().String() != callerSpan {
		parent, ok := tree[s.Parent.SpanID()]
		if !ok {
			return append(names, "<missing parent "+s.Parent.SpanID().String()+">")
		}
		s = parent
		names = append(names, s.Name)
	}
	return names
}

func TestOneTraceFollowsARequestThroughTheOutboxRelayAndConsumers(t *testing.T) {
	exp := tracingtest.Record(t)
	s := startServer(t, "LOG_LEVEL", "info")
	_, token := s.signUp(t)
	s.placeOrder(t, token, orderBody("A-1"), nil)
	eventually(t, "the order_placed notification", func() bool { return len(s.notifications(t, token)) == 2 })

	// Closing the account: users publishes UserDeleted; orders cancels the
	// open order and publishes OrderCancelled; notifications hears both.
	s.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token,
		Header: map[string]string{"traceparent": callerTraceparent}}).expect(t, 204)
	wantPaths := map[string][]string{
		"orders": {"process users.UserDeleted.v1", "relay users.UserDeleted.v1", "send users.UserDeleted.v1", "DELETE /v1/users/me"},
		"notifications": {"process orders.OrderCancelled.v1", "relay orders.OrderCancelled.v1", "send orders.OrderCancelled.v1",
			"process users.UserDeleted.v1", "relay users.UserDeleted.v1", "send users.UserDeleted.v1", "DELETE /v1/users/me"},
	}
	// A relay span ends after its consumers acknowledged: wait for whole paths.
	eventually(t, "the spans of the cancellation's notification", func() bool {
		tree := spansOf(exp)
		for module, want := range wantPaths {
			spans := tree.find(want[0], module)
			if len(spans) != 1 || strings.Contains(fmt.Sprint(tree.path(spans[0])), "<missing") {
				return false
			}
		}
		return true
	})
	tree := spansOf(exp)
	for module, want := range wantPaths {
		spans := tree.find(want[0], module)
		if len(spans) != 1 {
			t.Fatalf("%d %q spans in %s, want 1", len(spans), want[0], module)
		}
		if got := tree.path(spans[0]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: the span path is\n  %v\nwant\n  %v", module, got, want)
		}
		if spans[0].SpanKind != trace.SpanKindConsumer {
			t.Errorf("%s: %q is a %v span, want consumer", module, want[0], spans[0].SpanKind)
		}
	}
	if server := tree.find("DELETE /v1/users/me", ""); len(server) != 1 || server[0].SpanKind != trace.SpanKindServer {
		t.Errorf("the HTTP server span: %+v", server)
	}
	// The spans follow the stable HTTP semantic conventions and the
	// messaging ones.
	want := map[string][][2]string{
		"DELETE /v1/users/me": {{"http.request.method", "DELETE"}, {"http.route", "/v1/users/me"},
			{"url.path", "/v1/users/me"}, {"url.scheme", "http"}, {"network.protocol.version", "1.1"}},
		"send users.UserDeleted.v1": {{"messaging.system", "watermill"}, {"messaging.operation.type", "create"},
			{"messaging.destination.name", "users.UserDeleted.v1"}},
		"relay users.UserDeleted.v1": {{"messaging.system", "watermill"}, {"messaging.operation.type", "publish"},
			{"messaging.destination.name", "users.UserDeleted.v1"}},
		"process users.UserDeleted.v1": {{"messaging.system", "watermill"}, {"messaging.operation.type", "process"},
			{"messaging.destination.name", "users.UserDeleted.v1"}},
	}
	for name, attrs := range want {
		for _, span := range tree.find(name, "") {
			for _, kv := range attrs {
				if !hasAttr(span, kv[0], kv[1]) {
					t.Errorf("%q lacks %s=%s: %v", name, kv[0], kv[1], span.Attributes)
				}
			}
		}
	}
	if server := tree.find("DELETE /v1/users/me", ""); len(server) == 1 && !hasIntAttr(server[0], "http.response.status_code", 204) {
		t.Errorf("the server span lacks http.response.status_code=204: %v", server[0].Attributes)
	}
	if lines := s.logs.matching(`"msg":"request"`, `"method":"DELETE"`, `"trace_id":"`+callerTrace+`"`); len(lines) != 1 {
		t.Errorf("%d access log lines of the DELETE name its trace, want 1", len(lines))
	}
}

// deliveredWithTrace is a users event as a queue delivers it, carrying the
// caller's traceparent in its metadata.
func deliveredWithTrace(t *testing.T, id string) (payload []byte, attributes map[string]string) {
	t.Helper()
	payload, _ = json.Marshal(map[string]any{"user_id": "0b9c4a34-6f51-4a3c-9d7e-2a8c1f1b5e09", "email": "trace@example.com",
		"name": "T", "registered_at": "2026-11-22T10:00:00Z"})
	m := message.NewMessage(id, payload)
	m.Metadata.Set(messaging.MetaEventType, "users.UserRegistered.v1")
	m.Metadata.Set("traceparent", callerTraceparent)
	return payload, messagingtest.Signed(m).Metadata
}

func TestFunctionsContinueTheTraceAnEventCarries(t *testing.T) {
	exp := tracingtest.Record(t)
	fs := startFunctions(t)

	t.Run("Lambda, from an SQS record", func(t *testing.T) {
		payload, attrs := deliveredWithTrace(t, "ev-trace-sqs")
		m := map[string]any{"uuid": attrs["event_id"], "metadata": attrs, "payload": payload}
		body, _ := json.Marshal(m)
		if failed := fs.sqsBatch(t, "notifications", sqsRecord(t, "m-1", string(body), "1")); len(failed) != 0 {
			t.Fatalf("failed: %v", failed)
		}
	})
	t.Run("Cloud Functions, from a Pub/Sub CloudEvent", func(t *testing.T) {
		payload, attrs := deliveredWithTrace(t, "ev-trace-pubsub")
		ev := cloudevents.NewEvent()
		ev.SetID("ce-1")
		ev.SetType("google.cloud.pubsub.topic.v1.messagePublished")
		ev.SetSource("//pubsub.googleapis.com/projects/p/topics/events")
		data := map[string]any{"message": map[string]any{"messageId": "ps-1", "data": base64.StdEncoding.EncodeToString(payload), "attributes": attrs}}
		if err := ev.SetData(cloudevents.ApplicationJSON, data); err != nil {
			t.Fatal(err)
		}
		events := gcffn.Events(fs.handlers["notifications"].fn.Processor, logging.New(&logBuffer{t: t}, 0, logging.JSON))
		if err := events(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	})

	spans := spansOf(exp).find("process users.UserRegistered.v1", "notifications")
	if len(spans) != 2 {
		t.Fatalf("%d process spans in the caller's trace, want one per delivery", len(spans))
	}
	for _, s := range spans {
		if s.Parent.SpanID().String() != callerSpan || s.SpanKind != trace.SpanKindConsumer {
			t.Errorf("process span %s: parent %s, kind %v; want the caller's span, consumer", s.Name, s.Parent.SpanID(), s.SpanKind)
		}
	}
}

func TestEventsCarryTheTraceparentButNeverTheClientsBaggage(t *testing.T) {
	tracingtest.Record(t)
	global := otel.GetTextMapPropagator()
	t.Cleanup(func() { otel.SetTextMapPropagator(global) })
	if _, err := tracing.Setup(context.Background(), tracing.Config{}); err != nil { // the production propagator
		t.Fatal(err)
	}
	s := startServer(t)
	bag := "leak=someone%40baggage.test,pad=" + strings.Repeat("x", 3000)
	s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": "traced@example.com", "password": "password123", "name": "Traced User",
	}, Header: map[string]string{"traceparent": callerTraceparent, "baggage": bag}}).expect(t, 201)

	// Relayed events stay in the outbox until the relay prunes them.
	rows, err := openModuleDB(t, s.Config, "users").Read.Query(`SELECT metadata, payload FROM pubsub_messages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var metadata, payload []byte
		if err := rows.Scan(&metadata, &payload); err != nil {
			t.Fatal(err)
		}
		n++
		row := string(metadata) + string(payload)
		if !strings.Contains(row, callerTrace) {
			t.Errorf("an outbox row does not carry the caller's trace: %s", row)
		}
		for _, leak := range []string{"baggage", "someone", "xxxxxxxx"} {
			if strings.Contains(row, leak) {
				t.Errorf("an outbox row carries %q: %.300s", leak, row)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no outbox row")
	}
}

func TestLambdaSpansContinueTheInvocationsSampledXRayTrace(t *testing.T) {
	exp := tracingtest.Record(t)
	fs := startFunctions(t)
	const xrayTrace, lambdaSegment = "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
	header := func(sampled string) context.Context {
		// The key and the value aws-lambda-go gives the handler (and
		// _X_AMZN_TRACE_ID) for the runtime's Lambda-Runtime-Trace-Id.
		//lint:ignore SA1029 the key is aws-lambda-go's, a plain string
		return context.WithValue(context.Background(), "x-amzn-trace-id",
			"Root=1-5759e988-bd862e3fe1be46a994272793;Parent="+lambdaSegment+";Sampled="+sampled)
	}
	serverSpan := func(path string) tracetest.SpanStub {
		t.Helper()
		for _, s := range exp.GetSpans() {
			if s.Name == "GET "+path {
				return s
			}
		}
		t.Fatalf("no span for GET %s", path)
		return tracetest.SpanStub{}
	}

	fs.invokeWith(header("1"), t, "orders", request{Method: "GET", Path: "/v1/orders"}).expect(t, 401)
	s := serverSpan("/v1/orders")
	if s.SpanContext.TraceID().String() != xrayTrace || s.Parent.SpanID().String() != lambdaSegment {
		t.Errorf("sampled by X-Ray: the server span is %s, child of %s; want trace %s, child of the function's segment %s",
			s.SpanContext.TraceID(), s.Parent.SpanID(), xrayTrace, lambdaSegment)
	}

	fs.invokeWith(header("0"), t, "notifications", request{Method: "GET", Path: "/v1/notifications"}).expect(t, 401)
	if s := serverSpan("/v1/notifications"); s.SpanContext.TraceID().String() == xrayTrace || s.Parent.IsValid() || !s.SpanContext.IsSampled() {
		t.Errorf("not sampled by X-Ray: the server span is %s, child of %v, sampled %v; want a root of its own, sampled",
			s.SpanContext.TraceID(), s.Parent.SpanID(), s.SpanContext.IsSampled())
	}

	fs.invokeWith(header("1"), t, "users", request{Method: "GET", Path: "/v1/users/me",
		Header: map[string]string{"traceparent": callerTraceparent}}).expect(t, 401)
	if s := serverSpan("/v1/users/me"); s.SpanContext.TraceID().String() != callerTrace || s.Parent.SpanID().String() != callerSpan {
		t.Errorf("with the caller's traceparent: the server span is %s, child of %s; want the caller's trace, as in server mode",
			s.SpanContext.TraceID(), s.Parent.SpanID())
	}
}
