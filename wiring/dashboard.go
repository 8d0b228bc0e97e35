package wiring

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/devdash"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/tracing"
)

// The dashboard keeps the last dashboardSpans spans and dashboardEvents
// events: a few minutes of a developer's clicking, a few MiB.
const (
	dashboardSpans  = 8192
	dashboardEvents = 1000
)

// dashboard connects the development dashboard to the server: its
// recorder and hub, fed by the relays and processors, and its sources.
type dashboard struct {
	cfg    Config // the server's: the architecture is described on it
	spans  *devdash.Recorder
	events *devdash.Hub

	describe    sync.Once // the architecture, described on first asking
	system      System
	describeErr error
}

func newDashboard(cfg Config) *dashboard {
	return &dashboard{cfg: cfg, spans: devdash.NewRecorder(dashboardSpans), events: devdash.NewHub(dashboardEvents)}
}

// serveDashboard serves the dashboard on cfg.Dashboard.Addr, with the span
// recorder on, until the returned function stops both. Off, it does nothing.
func (s *Server) serveDashboard(ctx context.Context) (stop func(), err error) {
	if s.dash == nil {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", s.cfg.Dashboard.Addr)
	if err != nil && s.cfg.DashboardByDefault {
		s.logger.Warn("development dashboard off: its default address is taken (set DEV_DASHBOARD_ADDR)", "addr", s.cfg.Dashboard.Addr, "error", err)
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("DEV_DASHBOARD_ADDR: listen: %w", err)
	}
	stopRecording := tracing.Record(s.dash.spans)
	d := devdash.New(s.cfg.Dashboard, devdash.Sources{
		Spans: s.dash.spans, Events: s.dash.events, Queues: serverQueues{s}, API: s.echo,
		Architecture: s.dash.architecture, Edges: s.edges,
	}, s.logger)
	serveCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = s.dash.architecture(serveCtx) // described before the first page asks; an error shows there
		if err := d.Serve(serveCtx, ln); err != nil {
			s.logger.Error("dashboard stopped", "error", err)
		}
	}()
	s.logger.Info("development dashboard listening", "url", "http://"+ln.Addr().String()+"/")
	return func() {
		cancel()
		<-done
		stopRecording()
	}, nil
}

// observer is what the processors report to: the metrics, and with the
// dashboard on, the dashboard too.
func (s *Server) observer() messaging.Observer {
	if s.dash == nil {
		return s.metrics
	}
	return dashObserver{s.metrics, s.dash.events}
}

// dashObserver tells the metrics and the dashboard's hub of every attempt.
type dashObserver struct {
	messaging.Observer
	events *devdash.Hub
}

func (o dashObserver) EventAttempted(module string, msg *message.Message, outcome messaging.Outcome, took time.Duration, err error) {
	var traceID string
	if sc := trace.SpanContextFromContext(msg.Context()); sc.IsValid() {
		traceID = sc.TraceID().String()
	}
	o.events.Attempted(msg.UUID, func() devdash.Seen { return seen(msg) }, module, string(outcome), traceID, took, time.Now(), err)
}

// EventCommitted tells the hub of an event a module stored, once stored.
func (o dashObserver) EventCommitted(msg *message.Message, at time.Time) {
	o.events.Committed(msg.UUID, func() devdash.Seen { return seen(msg) }, at)
}

// observeCommits has every request's stored events told to the dashboard
// once committed (the processors' handlers are told through observer).
func (s *Server) observeCommits() {
	if s.dash == nil {
		return
	}
	o := dashObserver{s.metrics, s.dash.events}
	s.echo.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			c.SetRequest(r.WithContext(messaging.ObserveCommits(r.Context(), o)))
			return next(c)
		}
	})
}

// relayed returns pub, which tells the dashboard of every event a relay
// publishes through it to "to" (a consumer, or the bus).
func (s *Server) relayed(to string, pub message.Publisher) message.Publisher {
	if s.dash == nil {
		return pub
	}
	return relayWatch{pub, to, s.dash.events}
}

type relayWatch struct {
	message.Publisher
	to     string
	events *devdash.Hub
}

func (r relayWatch) Publish(topic string, msgs ...*message.Message) error {
	start := time.Now()
	// The in-process bus returns once its consumer took the event: the
	// hub hears of it after the consumer's outcome, dated when it left.
	err := r.Publisher.Publish(topic, msgs...)
	for _, msg := range msgs {
		r.events.Relayed(msg.UUID, func() devdash.Seen { return seen(msg) }, r.to, start, err)
	}
	return err
}

// seen is msg as the hub records it; its trace is the span its context
// holds, else the one its metadata names.
func seen(msg *message.Message) devdash.Seen {
	md := msg.Metadata
	occurred, _ := time.Parse(time.RFC3339Nano, md.Get(messaging.MetaOccurredAt))
	sc := trace.SpanContextFromContext(msg.Context())
	if !sc.IsValid() {
		sc = tracing.SpanContextOf(md)
	}
	ev := devdash.Seen{ID: msg.UUID, Topic: md.Get(messaging.MetaEventType), Producer: md.Get(messaging.MetaProducer),
		CorrelationID: md.Get(messaging.MetaCorrelationID), OccurredAt: occurred, Payload: msg.Payload,
		Metadata: make(map[string]string, len(md))}
	if sc.IsValid() {
		ev.TraceID = sc.TraceID().String()
	}
	for k, v := range md {
		ev.Metadata[k] = v
	}
	return ev
}
