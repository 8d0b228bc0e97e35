// Package gcppub is a Watermill Publisher onto one Google Cloud Pub/Sub
// topic: how a module's relay, running as a Cloud Function, hands events to
// the other modules' "<module>-events" functions, each triggered by a push
// subscription of the topic that filters the event types it consumes.
//
// A Pub/Sub message carries the event payload as its data and the event
// metadata (event_id, event_type, correlation_id, …) as its attributes,
// which is what gcffn reads back.
package gcppub

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/ThreeDotsLabs/watermill/message"
	"google.golang.org/api/option"
)

// Publisher publishes to one Pub/Sub topic.
type Publisher struct {
	client  *pubsub.Client
	pub     *pubsub.Publisher
	timeout time.Duration
	closed  atomic.Bool
}

// New returns a Publisher onto topic, "projects/<project>/topics/<id>",
// with the credentials of the environment (the function's service
// account; PUBSUB_EMULATOR_HOST points it at an emulator).
func New(ctx context.Context, topic string, opts ...option.ClientOption) (*Publisher, error) {
	project, err := Project(topic)
	if err != nil {
		return nil, err
	}
	client, err := pubsub.NewClient(ctx, project, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcppub: client: %w", err)
	}
	return &Publisher{client: client, pub: client.Publisher(topic), timeout: 10 * time.Second}, nil
}

// Project returns the project of a topic's resource name, and an error when
// topic is no such name.
func Project(topic string) (string, error) {
	parts := strings.Split(topic, "/")
	if len(parts) != 4 || parts[0] != "projects" || parts[1] == "" || parts[2] != "topics" || parts[3] == "" {
		return "", fmt.Errorf("gcppub: %q is not a topic name projects/<project>/topics/<id>", topic)
	}
	return parts[1], nil
}

// Publish sends each message in order, waiting for Pub/Sub to store one
// before sending the next; it returns once Pub/Sub stored them all.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	if p.closed.Load() {
		return errors.New("gcppub: publisher closed")
	}
	for _, msg := range msgs {
		attrs := make(map[string]string, len(msg.Metadata)+1)
		for k, v := range msg.Metadata {
			attrs[k] = v
		}
		attrs["event_type"] = topic
		if attrs["event_id"] == "" {
			attrs["event_id"] = msg.UUID
		}
		ctx, cancel := context.WithTimeout(msg.Context(), p.timeout)
		_, err := p.pub.Publish(ctx, &pubsub.Message{Data: msg.Payload, Attributes: attrs}).Get(ctx)
		cancel()
		if err != nil {
			return fmt.Errorf("gcppub: publish %s: %w", msg.UUID, err)
		}
	}
	return nil
}

// Close flushes what is being sent and releases the client.
func (p *Publisher) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	p.pub.Stop()
	return p.client.Close()
}
