// Package metrics exposes the server's Prometheus metrics: HTTP requests,
// the event path (outbox backlog, relay throughput, handling, retries,
// poison queues), each module database's writer, and the outbound
// endpoints modules deliver to (calls, circuit breakers).
package metrics

import (
	_ "embed"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/webhook"
)

// Metrics holds the collectors of one process. It implements
// messaging.Observer.
type Metrics struct {
	registry     *prometheus.Registry
	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	relayed      *prometheus.CounterVec
	handling     *prometheus.HistogramVec
	retries      *prometheus.CounterVec
	groupSize    *prometheus.HistogramVec
	modules      *moduleCollector
	outbound     *outboundCollector
}

var _ messaging.Observer = (*Metrics)(nil)

// New returns the metrics, with Go runtime and process metrics registered.
func New(logger *slog.Logger) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modmono_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "modmono_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"method", "route"}),
		relayed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modmono_relay_published_total", Help: "Events a module's relay put on the bus.",
		}, []string{"module"}),
		handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "modmono_event_handling_seconds", Help: "Time to apply an event (one attempt), by outcome.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"module", "event_type", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modmono_event_retries_total", Help: "Attempts at an event after its first.",
		}, []string{"module", "event_type"}),
		groupSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "modmono_db_group_commit_size", Help: "Transactions carried by one commit of a module database.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}, []string{"module"}),
		modules:  newModuleCollector(logger),
		outbound: newOutboundCollector(),
	}
	m.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.relayed, m.handling, m.retries, m.groupSize, m.modules, m.outbound)
	return m
}

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the fragment of the OpenAPI document that describes Handler
// served at /metrics.
func OpenAPI() []byte { return openAPI }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// ObserveRequest records one HTTP request; route is its pattern, "" when
// no route matched (the raw path would make a series per URL). A method
// outside the standard ones counts as OTHER: clients choose it, and a label
// value per made-up method would grow /metrics without bound.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	method = methodLabel(method)
	m.httpRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(method, route).Observe(took.Seconds())
}

// standardMethods are the methods of RFC 9110 and PATCH (RFC 5789).
var standardMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel is method when standard, else OTHER.
func methodLabel(method string) string {
	if standardMethods[method] {
		return method
	}
	return "OTHER"
}

// EventHandled implements messaging.Observer.
func (m *Metrics) EventHandled(module, eventType string, took time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.handling.WithLabelValues(module, eventType, outcome).Observe(took.Seconds())
}

// EventRetried implements messaging.Observer.
func (m *Metrics) EventRetried(module, eventType string) {
	m.retries.WithLabelValues(module, eventType).Inc()
}

// AddModule watches module's database: its commits, its writer queue, and
// at each scrape its outbox backlog and poison queue.
func (m *Metrics) AddModule(module string, db *sqldb.DB) {
	sizes := m.groupSize.WithLabelValues(module)
	db.OnGroupCommit(func(n int) { sizes.Observe(float64(n)) })
	m.modules.add(module, db)
}

// AddOutbound watches client, an endpoint a module delivers to: its calls
// by outcome and its circuit breaker's state, read at each scrape.
func (m *Metrics) AddOutbound(client *webhook.Client) { m.outbound.add(client) }

// CountRelayed returns bus, counting what module's relay publishes on it.
func (m *Metrics) CountRelayed(module string, bus message.Publisher) message.Publisher {
	return countingPublisher{Publisher: bus, published: m.relayed.WithLabelValues(module)}
}

type countingPublisher struct {
	message.Publisher
	published prometheus.Counter
}

func (p countingPublisher) Publish(topic string, msgs ...*message.Message) error {
	if err := p.Publisher.Publish(topic, msgs...); err != nil {
		return err
	}
	p.published.Add(float64(len(msgs)))
	return nil
}
