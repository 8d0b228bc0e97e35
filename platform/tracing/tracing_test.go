package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/tracing"
)

func TestEventMetadataCarriesTheTraceButNeverBaggage(t *testing.T) {
	// Even a global propagator that carries baggage (another library may
	// install one) must not put it in an event.
	global := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	t.Cleanup(func() { otel.SetTextMapPropagator(global) })

	member, err := baggage.NewMember("email", "victim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	bag, err := baggage.New(member)
	if err != nil {
		t.Fatal(err)
	}
	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled})
	ctx := baggage.ContextWithBaggage(trace.ContextWithSpanContext(context.Background(), sc), bag)

	md := message.Metadata{}
	tracing.Inject(ctx, md)
	if got, want := md.Get("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"; got != want {
		t.Errorf("traceparent %q, want %q", got, want)
	}
	if got := md.Get("baggage"); got != "" {
		t.Errorf("the event carries baggage %q", got)
	}
	if got := baggage.FromContext(tracing.Extract(context.Background(), message.Metadata{"baggage": "email=x"})); got.Len() != 0 {
		t.Errorf("baggage read from an event: %v", got)
	}
}

func TestSetupInstallsNoBaggagePropagator(t *testing.T) {
	global := otel.GetTextMapPropagator()
	t.Cleanup(func() { otel.SetTextMapPropagator(global) })
	if _, err := tracing.Setup(context.Background(), tracing.Config{}); err != nil {
		t.Fatal(err)
	}
	for _, field := range otel.GetTextMapPropagator().Fields() {
		if field == "baggage" {
			t.Errorf("the global propagator carries baggage: %v", otel.GetTextMapPropagator().Fields())
		}
	}
}
