package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
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

	module      modular.Module
	publisher   message.Publisher
	busVariable string // what names the publisher's destination
	ready       httpserver.Check
	maxEvent    int           // MAX_EVENT_BYTES
	inline      time.Duration // INLINE_PUBLISH_TIMEOUT; 0: off
	relaySet    atomic.Bool   // the inline publish's relay is the outbox's
	logger      *slog.Logger
}

func newFunction(cfg Config, logger *slog.Logger, host *modular.Host, m modular.Module, publisher message.Publisher) (*Function, error) {
	f := &Function{
		Name:      m.Name(),
		Echo:      httpserver.New(logger, cfg.HTTP),
		module:    m,
		publisher: publisher,
		ready:     readiness(host, m),
		maxEvent:  cfg.MaxEventBytes,
		logger:    logger.With("module", m.Name()),
	}
	if publisher != nil {
		f.inline = cfg.InlinePublishTimeout
	}
	f.busVariable = "EVENTS_TOPIC_ARN"
	if cfg.Mode == ModeGCF {
		f.busVariable = "PUBSUB_TOPIC"
	}
	f.Echo.Use(f.publishAfterCommit)
	m.RegisterRoutes(f.Echo)
	httpserver.RegisterHealth(f.Echo, []httpserver.Check{f.ready}, logger)
	if err := registerOpenAPI(f.Echo, []modular.Module{m}); err != nil {
		return nil, err
	}
	if len(m.Handlers()) > 0 {
		p, err := newProcessor(cfg, logger, host, m, nil)
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
		return 0, fmt.Errorf("%s: no bus to relay to: set %s", f.Name, f.busVariable)
	}
	return messaging.RelayOnce(ctx, f.module.DB(), f.publisher, messaging.WatermillLogger(f.logger))
}

// RunWorkers runs the module's background workers until ctx is done. A
// worker that fails is logged; the others go on.
func (f *Function) RunWorkers(ctx context.Context) {
	for _, w := range f.module.Workers() {
		go func() {
			if err := w.Run(ctx); err != nil && ctx.Err() == nil {
				f.logger.ErrorContext(ctx, "worker stopped", "worker", w.Name, "error", err)
			}
		}()
	}
}

// startFunction sets up tracing for a function (each span exported as it
// ends), builds cfg.Module's function and starts its workers. stop closes
// the databases and flushes the spans; it may be called more than once.
func startFunction(ctx context.Context, cfg Config, logger *slog.Logger) (f *Function, stop func(), err error) {
	stopTracing, err := startTracing(ctx, cfg, logger, true)
	if err != nil {
		return nil, nil, err
	}
	f, cleanup, err := InitializeFunction(cfg, logger, ModuleName(cfg.Module))
	if err != nil {
		stopTracing()
		return nil, nil, err
	}
	f.RunWorkers(ctx)
	var once sync.Once
	return f, func() { once.Do(func() { cleanup(); stopTracing() }) }, nil
}
