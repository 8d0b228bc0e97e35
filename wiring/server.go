package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/metrics"
	"example.com/modmono/platform/modular"
)

// Server is the whole system in one process: every module's routes on one
// Echo server, and each module's relay and consumers running in-process.
type Server struct {
	cfg       Config
	logger    *slog.Logger
	echo      *echo.Echo
	host      *modular.Host
	modules   []modular.Module
	consumers []*messaging.Consumer
	relays    []*messaging.Relay
	workers   []worker
	metrics   *metrics.Metrics
}

// worker is a background loop that runs until its context is done.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// Bus is the event bus the server's relays publish to and consumers read.
type Bus interface {
	message.Publisher
	// Subscriber returns the subscriber of a consumer group (a module):
	// each event reaches every group once.
	Subscriber(group string) (message.Subscriber, error)
	// RelayPublisher is what one relay publishes through, and, when that
	// returns before the bus stored a message, how to wait until it did.
	RelayPublisher() (message.Publisher, func(context.Context) error)
	// Check is the bus's readiness check.
	Check(ctx context.Context) error
}

func newServer(cfg Config, logger *slog.Logger, bus Bus, host *modular.Host, modules []modular.Module, mx *metrics.Metrics) (*Server, error) {
	cfg.HTTP.Observe = mx.ObserveRequest
	s := &Server{
		cfg:     cfg,
		logger:  logger,
		echo:    httpserver.New(logger, cfg.HTTP),
		host:    host,
		modules: modules,
		metrics: mx,
	}
	s.echo.GET("/metrics", echo.WrapHandler(mx.Handler()))
	var checks []httpserver.Check
	for _, m := range modules {
		mx.AddModule(m.Name(), m.DB())
		m.RegisterRoutes(s.echo)
		checks = append(checks, readiness(host, m))
		if err := s.addMessaging(m, bus); err != nil {
			return nil, err
		}
		for _, w := range m.Workers() {
			s.workers = append(s.workers, worker{m.Name() + " " + w.Name, w.Run})
		}
	}
	checks = append(checks, httpserver.Check{Name: "bus", Check: bus.Check})
	httpserver.RegisterHealth(s.echo, checks)
	if err := registerOpenAPI(s.echo, modules, metrics.OpenAPI()); err != nil {
		return nil, err
	}
	return s, nil
}

// registerOpenAPI serves the OpenAPI document of modules' routes and of
// the extra fragments.
func registerOpenAPI(e *echo.Echo, modules []modular.Module, extra ...[]byte) error {
	fragments := extra
	for _, m := range modules {
		fragments = append(fragments, m.OpenAPI())
	}
	doc, err := httpserver.OpenAPI(fragments...)
	if err != nil {
		return err
	}
	httpserver.RegisterOpenAPI(e, doc)
	return nil
}

func (s *Server) addMessaging(m modular.Module, bus Bus) error {
	if len(m.Handlers()) > 0 {
		p, err := newProcessor(s.cfg, s.logger, m, s.metrics)
		if err != nil {
			return err
		}
		sub, err := bus.Subscriber(m.Name())
		if err != nil {
			return err
		}
		c, err := messaging.NewConsumer(p, sub)
		if err != nil {
			return err
		}
		s.consumers = append(s.consumers, c)
		s.workers = append(s.workers, worker{m.Name() + " inbox retention", func(ctx context.Context) error {
			return p.ForgetHandled(ctx, s.cfg.InboxRetention)
		}})
	}
	pub, confirm := bus.RelayPublisher()
	r, err := messaging.NewRelay(m.DB(), s.metrics.CountRelayed(m.Name(), pub), messaging.WatermillLogger(s.logger.With("module", m.Name())),
		messaging.RelayConfig{PollInterval: s.cfg.RelayPoll, CloseTimeout: s.cfg.ShutdownTimeout, Confirm: confirm})
	if err != nil {
		return err
	}
	s.relays = append(s.relays, r)
	return nil
}

// newProcessor returns m's event processor; observer (may be nil) learns
// how handling goes.
func newProcessor(cfg Config, logger *slog.Logger, m modular.Module, observer messaging.Observer) (*messaging.Processor, error) {
	return messaging.NewProcessor(m.Name(), m.DB(), m.Handlers(), logger,
		messaging.ProcessorConfig{MaxRetries: cfg.MaxRetries, CloseTimeout: cfg.ShutdownTimeout, Observer: observer})
}

// readiness checks that m's database answers and is fully migrated.
func readiness(host *modular.Host, m modular.Module) httpserver.Check {
	return httpserver.Check{Name: m.Name(), Check: func(ctx context.Context) error { return host.Ready(ctx, m) }}
}

type runner interface {
	Run(ctx context.Context) error
	Running() chan struct{}
}

// Run starts consumers, then relays (a relay must never publish to a bus no
// consumer listens on yet), then workers and the HTTP server on ln. When ctx
// is done it stops in reverse: HTTP drains, relays finish their event in
// flight, workers and consumers stop.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	ctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	bg := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	start := func(name string, run func(context.Context) error, runCtx context.Context) <-chan struct{} {
		done := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			if err := run(runCtx); err != nil && ctx.Err() == nil {
				fail(fmt.Errorf("%s: %w", name, err))
			}
		}()
		return done
	}
	// Only what was started is closed, once it runs (or its Run ended): a
	// Watermill router closed before it runs waits out its close timeout.
	var started started
	for _, c := range s.consumers {
		started.consumers = append(started.consumers, startedRunner{c, start("consumer", c.Run, bg)})
		if err := waitRunning(ctx, c); err != nil {
			return s.stop(&wg, started, nil, err)
		}
	}
	for _, r := range s.relays {
		started.relays = append(started.relays, startedRunner{r, start("relay", r.Run, bg)})
		if err := waitRunning(ctx, r); err != nil {
			return s.stop(&wg, started, nil, err)
		}
	}
	workers, stopWorkers := context.WithCancel(bg)
	for _, w := range s.workers {
		start(w.name, w.run, workers)
	}
	s.logger.Info("server listening", "addr", ln.Addr().String(), "data_dir", s.cfg.DataDir)
	err := httpserver.Serve(ctx, s.echo, ln, s.logger, s.cfg.HTTP)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = errors.Join(err, cause)
	}
	return s.stop(&wg, started, stopWorkers, err)
}

// started holds the consumers and relays that Run started.
type started struct{ consumers, relays []startedRunner }

// startedRunner is a consumer or relay with the channel closed when its Run
// returns.
type startedRunner struct {
	closer interface {
		runner
		Close() error
	}
	done <-chan struct{}
}

// closeAll closes each of rs once it runs or its Run has ended.
func closeAll(rs []startedRunner) error {
	var err error
	for _, r := range rs {
		select {
		case <-r.closer.Running():
		case <-r.done:
		}
		err = errors.Join(err, r.closer.Close())
	}
	return err
}

func waitRunning(ctx context.Context, r runner) error {
	select {
	case <-r.Running():
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// stop closes relays before consumers: an event in flight is acknowledged by
// its consumers before anything it depends on goes away. A relay or consumer
// that does not finish in time is logged, not returned: what it left is in
// the outbox, or unacknowledged on the bus, and is redone after a restart.
func (s *Server) stop(wg *sync.WaitGroup, started started, stopWorkers context.CancelFunc, err error) error {
	unfinished := closeAll(started.relays)
	if stopWorkers != nil {
		stopWorkers()
	}
	unfinished = errors.Join(unfinished, closeAll(started.consumers))
	wg.Wait()
	if unfinished != nil {
		s.logger.Warn("shutdown left relays or consumers unfinished; their events are redone after a restart", "error", unfinished)
	}
	s.logger.Info("server stopped")
	return err
}

// RunServer runs server mode on cfg.Addr() until ctx is done.
func RunServer(ctx context.Context, cfg Config, logger *slog.Logger) error {
	stopTracing, err := startTracing(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer stopTracing()
	srv, cleanup, err := InitializeServer(cfg, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return srv.Run(ctx, ln)
}
