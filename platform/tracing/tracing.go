// Package tracing sets up OpenTelemetry traces for the process and carries
// trace context through events: an event's metadata holds the W3C
// traceparent of the span that wrote it, so the relay and every consumer
// continue the trace of the HTTP request that caused it.
//
// The instrumented code uses the global tracer provider, as OpenTelemetry
// instrumentation does: a no-op until Setup installs an exporter.
package tracing

import (
	"context"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// Config says whether and how traces are exported.
type Config struct {
	// Export turns on the OTLP/HTTP exporter, which reads the standard
	// OTEL_EXPORTER_OTLP_* variables itself.
	Export bool
	// Sync exports each span when it ends instead of in batches: for
	// functions, whose process may be frozen between invocations.
	Sync bool
	// ServiceName is the default service.name; OTEL_SERVICE_NAME and
	// OTEL_RESOURCE_ATTRIBUTES take precedence.
	ServiceName string
}

// Setup installs the W3C trace-context propagator (without baggage: the
// process reads none, and a client's must not travel on) and, when cfg.Export,
// a tracer provider exporting over OTLP. The returned function flushes and
// stops it.
func Setup(ctx context.Context, cfg Config) (shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	if !cfg.Export {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx, resource.WithAttributes(semconv.ServiceName(cfg.ServiceName)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	processor := sdktrace.WithBatcher(exp)
	if cfg.Sync {
		processor = sdktrace.WithSyncer(exp)
	}
	tp := sdktrace.NewTracerProvider(processor, sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

const scope = "example.com/modmono/platform/tracing"

// eventPropagator carries traceparent (and tracestate) only, whatever the
// global propagator: an event is durable, goes to every consumer and lands
// in poison queues, so client-chosen baggage must never ride along.
var eventPropagator = propagation.TraceContext{}

// Inject writes the trace context of ctx into an event's metadata: its
// traceparent and tracestate, never baggage.
func Inject(ctx context.Context, md message.Metadata) {
	eventPropagator.Inject(ctx, propagation.MapCarrier(md))
}

// Extract returns ctx carrying the trace context of an event's metadata.
func Extract(ctx context.Context, md message.Metadata) context.Context {
	return eventPropagator.Extract(ctx, propagation.MapCarrier(md))
}

// messagingSystem names what carries events, for the messaging semantic
// conventions: Watermill, whichever bus it drives (in-process, NATS, SNS and
// SQS, Pub/Sub).
var messagingSystem = semconv.MessagingSystemKey.String("watermill")

// Start starts a span for one event: kind says whether this side sends
// (producer) or handles (consumer) it.
func Start(ctx context.Context, name string, kind trace.SpanKind, msg *message.Message, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	attrs = append(attrs, messagingSystem, semconv.MessagingMessageID(msg.UUID))
	return otel.Tracer(scope).Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
}

// End ends span, marking it failed when err is not nil.
func End(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
