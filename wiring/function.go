package wiring

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/messaging"
)

// Function is one module wired alone for a function entrypoint: its routes
// on an Echo with the same middleware and error handling as the server, its
// event processor, and its relay. Nothing of the other modules is opened.
type Function struct {
	Name string
	// Echo serves the module's routes and the health checks.
	Echo *echo.Echo
	// Processor applies the events the module consumes; nil if it consumes none.
	Processor *messaging.Processor

	unit      Unit
	publisher message.Publisher
	logger    *slog.Logger
}

func newFunction(cfg Config, logger *slog.Logger, unit Unit, publisher message.Publisher) (*Function, error) {
	f := &Function{
		Name:      unit.Name,
		Echo:      httpserver.New(logger, httpserver.Config{BodyLimit: fmt.Sprint(cfg.MaxBodyBytes)}),
		unit:      unit,
		publisher: publisher,
		logger:    logger.With("module", unit.Name),
	}
	unit.Module.RegisterRoutes(f.Echo)
	httpserver.RegisterHealth(f.Echo, []httpserver.Check{readiness(unit)})
	if len(unit.Module.Handlers()) > 0 {
		p, err := newProcessor(cfg, logger, unit)
		if err != nil {
			return nil, err
		}
		f.Processor = p
	}
	return f, nil
}

// RelayOnce publishes every event waiting in the module's outbox and
// returns how many it relayed.
func (f *Function) RelayOnce(ctx context.Context) (int, error) {
	if f.publisher == nil {
		return 0, fmt.Errorf("%s: no bus to relay to: set EVENTS_TOPIC_ARN", f.Name)
	}
	return messaging.RelayOnce(ctx, f.unit.DB, f.publisher, messaging.WatermillLogger(f.logger))
}

// Run runs the module's background worker, if it has one, until ctx is done.
func (f *Function) Run(ctx context.Context) error {
	if f.unit.Run == nil {
		return nil
	}
	return f.unit.Run(ctx)
}
