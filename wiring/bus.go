package wiring

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/eventbus"
	"example.com/modmono/platform/gcppub"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/natsbus"
	"example.com/modmono/platform/snspub"
)

// provideBus is the bus of BUS: in memory, or NATS JetStream at NATS_URL.
// Closing it is the last step of shutdown.
func provideBus(cfg Config, logger *slog.Logger) (eventbus.Bus, func(), error) {
	wl := messaging.WatermillLogger(logger)
	if cfg.BusKind != "nats" {
		bus := messaging.NewInProcessBus(wl)
		return bus, func() { _ = bus.Close() }, nil
	}
	bus, err := natsbus.Open(cfg.Bus, wl)
	if err != nil {
		return nil, nil, fmt.Errorf("NATS_URL: %w", err)
	}
	return bus, func() { _ = bus.Close() }, nil
}

// provideFunctionBus is where a function's relay publishes: on Lambda the
// SNS topic of EVENTS_TOPIC_ARN, on Cloud Functions the Pub/Sub topic of
// PUBSUB_TOPIC; nil when unset (the relay then refuses to run, rather than
// drop events).
func provideFunctionBus(cfg Config) (message.Publisher, func(), error) {
	ctx := context.Background()
	switch {
	case cfg.Mode == ModeGCF && cfg.PubSubTopic != "":
		p, err := gcppub.New(ctx, cfg.PubSubTopic)
		if err != nil {
			return nil, nil, fmt.Errorf("PUBSUB_TOPIC: %w", err)
		}
		return p, func() { _ = p.Close() }, nil
	case cfg.Mode != ModeGCF && cfg.EventsTopicARN != "":
		p, err := snspub.New(ctx, cfg.EventsTopicARN, messaging.MarshalMessage)
		if err != nil {
			return nil, nil, fmt.Errorf("EVENTS_TOPIC_ARN: %w", err)
		}
		return p, func() { _ = p.Close() }, nil
	}
	return nil, func() {}, nil
}
