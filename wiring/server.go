package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/eventbus"
	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/metrics"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/webhook"
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
	relaysOf  map[string][]*messaging.Relay // by the module whose readiness they count in
	workers   []worker
	metrics   *metrics.Metrics
	// processors are the modules' event processors, by module: the
	// dashboard's replays run through them.
	processors map[string]*messaging.Processor
	dash       *dashboard // nil: the development dashboard is off
}

// worker is a background loop that runs until its context is done.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// outbound is a module that delivers to endpoints outside the system
// (notifications' webhook), whose calls and breakers the metrics report.
type outbound interface {
	Outbound() []*webhook.Client
}

func newServer(cfg Config, logger *slog.Logger, bus eventbus.Bus, host *modular.Host, modules []modular.Module, mx *metrics.Metrics) (*Server, error) {
	cfg.HTTP.Observe = mx.ObserveRequest
	s := &Server{
		cfg:      cfg,
		logger:   logger,
		echo:     httpserver.New(logger, cfg.HTTP),
		host:     host,
		modules:  modules,
		metrics:  mx,
		relaysOf: map[string][]*messaging.Relay{},

		processors: map[string]*messaging.Processor{},
	}
	if cfg.Dashboard.Addr != "" {
		s.dash = newDashboard(cfg)
		s.observeCommits()
	}
	var documented [][]byte
	if cfg.MetricsAddr == MetricsOnPublicPort { // else on a listener of its own, or nowhere: serveMetrics
		s.echo.GET("/metrics", echo.WrapHandler(mx.Handler()))
		documented = append(documented, metrics.OpenAPI())
	}
	for _, m := range modules {
		mx.AddModule(m.Name(), m.DB())
		if o, ok := m.(outbound); ok {
			for _, c := range o.Outbound() {
				mx.AddOutbound(c)
			}
		}
		m.RegisterRoutes(s.echo)
		if err := s.addMessaging(m, bus); err != nil {
			return nil, err
		}
		for _, w := range m.Workers() {
			s.workers = append(s.workers, worker{m.Name() + " " + w.Name, w.Run})
		}
	}
	if err := s.addRelays(bus); err != nil {
		return nil, err
	}
	httpserver.RegisterHealth(s.echo, s.checks(bus), logger)
	if err := registerOpenAPI(s.echo, modules, documented...); err != nil {
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

func (s *Server) addMessaging(m modular.Module, bus eventbus.Bus) error {
	if len(m.Handlers()) == 0 {
		return nil
	}
	p, err := newProcessor(s.cfg, s.logger, s.host, m, s.observer())
	if err != nil {
		return err
	}
	s.processors[m.Name()] = p
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
		return p.ForgetHandled(ctx, s.cfg.InboxRetention, s.cfg.PoisonRetention)
	}})
	return nil
}

// addRelays adds the relays of every module's outbox: one onto a bus that
// keeps messages; else one for each consumer of each topic, reading the
// outbox of the module that publishes it.
func (s *Server) addRelays(bus eventbus.Bus) error {
	switch bus := bus.(type) {
	case eventbus.Relaying:
		for _, m := range s.modules {
			pub, confirm := bus.RelayPublisher()
			if err := s.addRelay(m, m, pub, messaging.RelayConfig{Confirm: confirm}); err != nil {
				return err
			}
		}
		return nil
	case eventbus.Feeding:
		return s.addFeeds(bus)
	}
	return fmt.Errorf("bus %T neither keeps messages nor feeds consumers", bus)
}

// addFeeds adds, for every module that consumes events and every module
// whose events it consumes, a relay of its own from the producer's outbox
// to the consumer: the consumer's own position in the producer's stream.
func (s *Server) addFeeds(bus eventbus.Feeding) error {
	for _, consumer := range s.modules {
		pub, err := bus.Publisher(consumer.Name())
		if err != nil {
			return err
		}
		topics, producers, err := s.topicsByProducer(consumer)
		if err != nil {
			return err
		}
		for _, producer := range producers {
			cfg := messaging.RelayConfig{ConsumerGroup: messaging.RelayGroup(consumer.Name()), Topics: topics[producer]}
			if err := s.addRelay(producer, consumer, pub, cfg); err != nil {
				return err
			}
		}
	}
	return nil
}

// topicsByProducer groups the topics consumer consumes by the module that
// publishes them, and lists those modules in the order they first appear.
func (s *Server) topicsByProducer(consumer modular.Module) (map[modular.Module][]string, []modular.Module, error) {
	topics := map[modular.Module][]string{}
	var producers []modular.Module
	for _, h := range consumer.Handlers() {
		producer, err := s.producerOf(h.Topic)
		if err != nil {
			return nil, nil, fmt.Errorf("module %s: %w", consumer.Name(), err)
		}
		if topics[producer] == nil {
			producers = append(producers, producer)
		}
		topics[producer] = append(topics[producer], h.Topic)
	}
	return topics, producers, nil
}

// producerOf finds the module that publishes topic: topics are named
// "<module>.<Event>.v<n>".
func (s *Server) producerOf(topic string) (modular.Module, error) {
	name, _, _ := strings.Cut(topic, ".")
	for _, m := range s.modules {
		if m.Name() == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("consumes %s, but no module named %q runs here to publish it", topic, name)
}

// addRelay adds a relay of producer's outbox onto pub, whose readiness
// counts as owner's.
func (s *Server) addRelay(producer, owner modular.Module, pub message.Publisher, cfg messaging.RelayConfig) error {
	cfg.PollInterval, cfg.CloseTimeout = s.cfg.RelayPoll, s.cfg.ShutdownTimeout
	to := "the bus"
	if cfg.ConsumerGroup != "" {
		to = owner.Name()
	}
	r, err := messaging.NewRelay(producer.DB(), s.metrics.CountRelayed(producer.Name(), s.relayed(to, pub)),
		messaging.WatermillLogger(s.logger.With("module", producer.Name())), cfg)
	if err != nil {
		return err
	}
	s.relays = append(s.relays, r)
	s.relaysOf[owner.Name()] = append(s.relaysOf[owner.Name()], r)
	return nil
}

// newProcessor returns m's event processor; observer (may be nil) learns
// how handling goes.
func newProcessor(cfg Config, logger *slog.Logger, host *modular.Host, m modular.Module, observer messaging.Observer) (*messaging.Processor, error) {
	return messaging.NewProcessor(m.Name(), m.DB(), m.Handlers(), logger,
		messaging.ProcessorConfig{MaxRetries: cfg.MaxRetries, CloseTimeout: cfg.ShutdownTimeout, Observer: observer, Keys: host.Keys})
}

// readiness checks that m's database answers, is fully migrated and takes
// writes.
func readiness(host *modular.Host, m modular.Module) httpserver.Check {
	return httpserver.Check{Name: m.Name(), Check: func(ctx context.Context) error { return host.Ready(ctx, m) }}
}

// checks are the server's readiness checks: each module's database and the
// relays that feed it (on the in-process bus) or that it feeds (onto a bus
// that keeps messages), and the bus.
func (s *Server) checks(bus eventbus.Bus) []httpserver.Check {
	var checks []httpserver.Check
	for _, m := range s.modules {
		db, relays := readiness(s.host, m), s.relaysOf[m.Name()]
		checks = append(checks, httpserver.Check{Name: m.Name(), Check: func(ctx context.Context) error {
			if err := db.Check(ctx); err != nil {
				return err
			}
			for _, r := range relays {
				if err := r.Stuck(s.cfg.RelayStallTimeout); err != nil {
					return httpserver.Unready(r.Group()+" cannot publish", err)
				}
			}
			return nil
		}})
	}
	return append(checks, httpserver.Check{Name: "bus", Check: func(ctx context.Context) error {
		if err := bus.Check(ctx); err != nil {
			return httpserver.Unready("bus unreachable", err)
		}
		return nil
	}})
}
