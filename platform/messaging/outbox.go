package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
	"example.com/modmono/platform/tracing"
)

// Outbox writes a module's events into its own database, inside the caller's
// transaction, for the Relay to publish once that transaction commits.
type Outbox struct {
	producer string
	keys     *Keys
}

// NewOutbox returns the outbox of the module named producer, which signs
// its events with producer's key in keys.
func NewOutbox(producer string, keys *Keys) (*Outbox, error) {
	if keys == nil || !keys.Has(producer) {
		return nil, fmt.Errorf("outbox: no event signing key of %s", producer)
	}
	return &Outbox{producer: producer, keys: keys}, nil
}

// AddAll stores each of evs in tx as the event contract maps it to: its
// topic and payload. A module's store turns the events its domain recorded
// into the module's public contracts with it.
func AddAll[E any](ctx context.Context, o *Outbox, tx *sqldb.Tx, evs []E, contract func(E) (topic string, payload any, err error)) error {
	for _, e := range evs {
		topic, payload, err := contract(e)
		if err != nil {
			return err
		}
		if err := o.Add(ctx, tx, topic, payload); err != nil {
			return err
		}
	}
	return nil
}

// Add stores payload, JSON-encoded, as an event on topic in tx.
func (o *Outbox) Add(ctx context.Context, tx *sqldb.Tx, topic string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("outbox: encode %s: %w", topic, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("outbox: event id: %w", err)
	}
	msg := message.NewMessage(id.String(), body)
	msg.Metadata.Set(MetaEventID, msg.UUID)
	msg.Metadata.Set(MetaEventType, topic)
	msg.Metadata.Set(MetaProducer, o.producer)
	msg.Metadata.Set(MetaOccurredAt, now().Format(time.RFC3339Nano))
	corr := CorrelationID(ctx)
	if corr == "" {
		corr = msg.UUID
	}
	msg.Metadata.Set(MetaCorrelationID, corr)
	if err := o.keys.Sign(msg); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}

	// The send span is the parent of the relay's and every consumer's.
	spanCtx, span := tracing.Start(ctx, "send "+topic, trace.SpanKindProducer, msg, semconv.MessagingDestinationName(topic),
		semconv.MessagingOperationTypeCreate, semconv.MessagingOperationName("send"))
	tracing.Inject(spanCtx, msg.Metadata)
	stored := stampedPublisher{sqlpubsub.NewPublisher(tx, nil), topic}
	pub := forwarder.NewPublisher(stored, forwarder.PublisherConfig{ForwarderTopic: OutboxTopic})
	err = pub.Publish(topic, msg)
	tracing.End(span, err)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	noteCommit(ctx, tx, msg)
	return nil
}

// stampedPublisher stores the event type in the metadata of the envelope
// the forwarder wraps an event in (whose own metadata is inside), so that a
// relay can pass over other topics' events without opening the envelope.
type stampedPublisher struct {
	message.Publisher
	eventType string
}

func (p stampedPublisher) Publish(topic string, msgs ...*message.Message) error {
	for _, msg := range msgs {
		msg.Metadata.Set(MetaEventType, p.eventType)
	}
	return p.Publisher.Publish(topic, msgs...)
}
