package messaging

import (
	"strconv"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/tracing"
)

// The middlewares a processor wraps each handler in (NewProcessor): a
// consumer span, the correlation id as request id, the attempt count.

// traced handles msg in a consumer span that continues the trace its
// metadata carries.
func (p *Processor) traced(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		name := eventType(msg)
		ctx, span := tracing.Start(tracing.Extract(msg.Context(), msg.Metadata), strings.TrimSpace("process "+name),
			trace.SpanKindConsumer, msg, semconv.MessagingDestinationName(name), attribute.String("modmono.module", p.module),
			semconv.MessagingOperationTypeDeliver, semconv.MessagingOperationName("process"))
		if p.commits != nil {
			ctx = ObserveCommits(ctx, p.commits)
		}
		msg.SetContext(ctx)
		start := time.Now()
		out, err := h(msg)
		tracing.End(span, err)
		p.noteAttempt(msg, start, err)
		return out, err
	}
}

// correlate carries the message's correlation id into its context as the
// request id, so events the handler writes keep it and log lines name it.
func (p *Processor) correlate(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		msg.SetContext(logging.WithRequestID(msg.Context(), middleware.MessageCorrelationID(msg)))
		return h(msg)
	}
}

// countAttempts records in the metadata how many times the handler ran, so a
// poisoned message shows its attempt count.
func (p *Processor) countAttempts(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		n, _ := strconv.Atoi(msg.Metadata.Get(MetaAttempts))
		msg.Metadata.Set(MetaAttempts, strconv.Itoa(n+1))
		if n > 0 {
			p.cfg.Observer.EventRetried(p.module, eventType(msg))
		}
		return h(msg)
	}
}
