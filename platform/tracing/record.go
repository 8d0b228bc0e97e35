package tracing

import (
	"context"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Record has sp see every span the process ends, until stop: added to the
// tracer provider Setup installed (beside its exporter), or else to one
// installed for it alone. Without it, and without an exporter, spans cost
// nothing; with it they are all recorded (a development dashboard's).
func Record(sp sdktrace.SpanProcessor) (stop func()) {
	if tp, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); ok {
		tp.RegisterSpanProcessor(sp)
		return func() { tp.UnregisterSpanProcessor(sp) }
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sp))
	otel.SetTracerProvider(tp)
	return func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		_ = tp.Shutdown(context.Background())
	}
}

// SpanContextOf is the span an event's metadata names (its traceparent).
func SpanContextOf(md map[string]string) trace.SpanContext {
	return trace.SpanContextFromContext(Extract(context.Background(), md))
}
