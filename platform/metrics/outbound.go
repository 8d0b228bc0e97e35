package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"example.com/modmono/platform/webhook"
)

// breakerStates are the values of modmono_outbound_breaker_state.
var breakerStates = map[string]float64{"closed": 0, "half-open": 1, "open": 2}

// outboundCollector reports, at each scrape, what the outbound clients
// (webhooks a module delivers to) did and their breakers' states.
type outboundCollector struct {
	mu      sync.Mutex
	clients []*webhook.Client
	state   *prometheus.Desc
	calls   *prometheus.Desc
	refused *prometheus.Desc
}

func newOutboundCollector() *outboundCollector {
	return &outboundCollector{
		state: prometheus.NewDesc("modmono_outbound_breaker_state",
			"An outbound endpoint's circuit breaker: 0 closed, 1 half-open (one trial call), 2 open (calls refused).",
			[]string{"name"}, nil),
		calls: prometheus.NewDesc("modmono_outbound_calls_total",
			"Calls made to an outbound endpoint, by outcome: ok, failed (an error answer or none), timeout.",
			[]string{"name", "outcome"}, nil),
		refused: prometheus.NewDesc("modmono_outbound_refused_total",
			"Calls to an outbound endpoint its open circuit breaker refused without making them.",
			[]string{"name"}, nil),
	}
}

func (c *outboundCollector) add(client *webhook.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clients = append(c.clients, client)
}

// Describe implements prometheus.Collector.
func (c *outboundCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.state
	ch <- c.calls
	ch <- c.refused
}

// Collect implements prometheus.Collector.
func (c *outboundCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	clients := c.clients
	c.mu.Unlock()
	for _, client := range clients {
		s := client.Stats()
		ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, breakerStates[s.State], s.Name)
		ok := s.Calls - s.Failed
		ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(ok), s.Name, "ok")
		ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(s.Failed-s.Timeout), s.Name, "failed")
		ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(s.Timeout), s.Name, "timeout")
		ch <- prometheus.MustNewConstMetric(c.refused, prometheus.CounterValue, float64(s.Refused), s.Name)
	}
}
