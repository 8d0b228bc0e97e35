package wiring

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/natsbus"
	"example.com/modmono/platform/snspub"
)

// provideBus is the bus of BUS: in memory, or NATS JetStream at NATS_URL.
// Closing it is the last step of shutdown.
func provideBus(cfg Config, logger *slog.Logger) (Bus, func(), error) {
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

// provideFunctionBus is where a function's relay publishes: the SNS topic
// of EVENTS_TOPIC_ARN, or nothing when it is unset (the relay then refuses
// to run, rather than drop events).
func provideFunctionBus(cfg Config) (message.Publisher, error) {
	if cfg.EventsTopicARN == "" {
		return nil, nil
	}
	p, err := snspub.New(context.Background(), cfg.EventsTopicARN, messaging.MarshalMessage)
	if err != nil {
		return nil, fmt.Errorf("EVENTS_TOPIC_ARN: %w", err)
	}
	return p, nil
}
