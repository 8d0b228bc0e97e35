package devdash_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/devdash"
)

func TestTheRecorderKeepsTheLastSpansByTrace(t *testing.T) {
	rec := devdash.NewRecorder(3)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())
	tracer := tp.Tracer("test")

	// A trace continued from a caller's span (a remote parent), as the
	// explorer's requests are: its root is the first span of ours.
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2},
		TraceFlags: trace.FlagsSampled, Remote: true})
	ctx, root := tracer.Start(trace.ContextWithRemoteSpanContext(context.Background(), remote), "POST /v1/orders")
	_, child := tracer.Start(ctx, "send orders.OrderPlaced.v1")
	child.End()
	root.End()
	for _, name := range []string{"old 1", "old 2", "new"} {
		_, s := tracer.Start(context.Background(), name)
		s.End()
	}

	traces := rec.Traces(10)
	if len(traces) != 3 {
		t.Fatalf("kept %d traces; want the 3 of the last 3 spans: %+v", len(traces), traces)
	}
	if traces[0].Name != "new" {
		t.Errorf("newest trace %q; want new", traces[0].Name)
	}
	if got := rec.Trace(trace.TraceID{1}.String()); len(got) != 0 {
		t.Errorf("spans of a trace pushed out of the ring: %+v", got)
	}

	rec = devdash.NewRecorder(10)
	tp2 := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp2.Shutdown(context.Background())
	ctx, root = tp2.Tracer("test").Start(trace.ContextWithRemoteSpanContext(context.Background(), remote), "POST /v1/orders")
	_, child = tp2.Tracer("test").Start(ctx, "send orders.OrderPlaced.v1")
	child.End()
	root.End()
	traces = rec.Traces(10)
	if len(traces) != 1 || traces[0].Name != "POST /v1/orders" || traces[0].Spans != 2 {
		t.Errorf("traces %+v; want one named after its first span of ours, with 2 spans", traces)
	}
	spans := rec.Trace(trace.TraceID{1}.String())
	if len(spans) != 2 || spans[0].Name != "POST /v1/orders" || spans[1].ParentID != spans[0].SpanID {
		t.Errorf("the trace's spans %+v; want the request, then its child", spans)
	}
}
