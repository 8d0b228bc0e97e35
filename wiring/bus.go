package wiring

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/snspub"
)

// provideBus is the in-process bus; closing it is the last step of shutdown.
func provideBus(logger *slog.Logger) (Bus, func()) {
	bus := messaging.NewInProcessBus(messaging.WatermillLogger(logger))
	return bus, func() { _ = bus.Close() }
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
