package wiring

import (
	"log/slog"

	"example.com/modmono/platform/messaging"
)

// provideBus is the in-process bus; closing it is the last step of shutdown.
func provideBus(logger *slog.Logger) (Bus, func()) {
	bus := messaging.NewInProcessBus(messaging.WatermillLogger(logger))
	return bus, func() { _ = bus.Close() }
}
