package tracing

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// recordMu makes Record's look at the provider and its install one step.
var recordMu sync.Mutex

// Record has sp see every span the process ends, until stop: added to the
// tracer provider Setup installed (beside its exporter), or else to one
// installed for it. Without it, and without an exporter, spans cost
// nothing; with it they are all recorded (a development dashboard's).
//
// A provider Record installs stays after stop, with no processor: the
// tracers taken from it meanwhile (an HTTP server's, taken once) must keep
// reaching the next recorder, which a swap back to the no-op provider
// would cut them off from (a test process starts several dashboards).
func Record(sp sdktrace.SpanProcessor) (stop func()) {
	recordMu.Lock()
	defer recordMu.Unlock()
	tp, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	if !ok {
		tp = sdktrace.NewTracerProvider()
		otel.SetTracerProvider(tp)
	}
	tp.RegisterSpanProcessor(sp)
	return func() { tp.UnregisterSpanProcessor(sp) }
}

// SpanContextOf is the span an event's metadata names (its traceparent).
func SpanContextOf(md map[string]string) trace.SpanContext {
	return trace.SpanContextFromContext(Extract(context.Background(), md))
}
