package wiring_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads /metrics as Prometheus would, from the public port: the
// server must have been started with METRICS_ADDR=public.
func (s *testServer) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	res := s.do(t, request{Method: "GET", Path: "/metrics"}).expect(t, 200)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(res.Body)))
	if err != nil {
		t.Fatalf("not the Prometheus text format: %v", err)
	}
	return families
}

// value returns the value of family's series with labels (name, value, …),
// and whether there is one; for a histogram, its count.
func value(families map[string]*dto.MetricFamily, family string, labels ...string) (float64, bool) {
	f, ok := families[family]
	if !ok {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && got[labels[i]] == labels[i+1]
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsFollowRequestsAndTheEventPath(t *testing.T) {
	s := startServer(t, "METRICS_ADDR", "public")
	_, token := s.signUp(t)
	s.placeOrder(t, token, orderBody("A-1"), nil)
	eventually(t, "the order_placed notification", func() bool { return len(s.notifications(t, token)) == 2 })
	s.do(t, request{Method: "GET", Path: "/no/such/route"}).expect(t, 404)

	atLeast := []struct {
		family string
		labels []string
		min    float64
	}{
		{"modmono_http_requests_total", []string{"method", "POST", "route", "/v1/orders", "status", "201"}, 1},
		{"modmono_http_requests_total", []string{"route", "unmatched", "status", "404"}, 1},
		{"modmono_http_request_duration_seconds", []string{"method", "POST", "route", "/v1/users"}, 1},
		{"modmono_relay_published_total", []string{"module", "users"}, 1},
		{"modmono_relay_published_total", []string{"module", "orders"}, 1},
		{"modmono_event_handling_seconds", []string{"module", "notifications", "event_type", "orders.OrderPlaced.v1", "outcome", "ok"}, 1},
		{"modmono_db_group_commit_size", []string{"module", "orders"}, 1},
		{"modmono_db_writer_queue_depth", []string{"module", "orders"}, 0},
		{"modmono_outbox_backlog", []string{"module", "users"}, 0},
		{"modmono_outbox_oldest_age_seconds", []string{"module", "orders"}, 0},
		{"modmono_poison_queue_size", []string{"module", "notifications"}, 0},
		{"go_goroutines", nil, 1},
	}
	// Counters move just after the effect they count is visible (a relay's
	// publish returns once its consumers committed): scrape until they have.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		m := s.scrape(t)
		var missing []string
		for _, c := range atLeast {
			if v, ok := value(m, c.family, c.labels...); !ok || v < c.min {
				missing = append(missing, fmt.Sprintf("%s%v = %v (present: %v), want at least %v", c.family, c.labels, v, ok, c.min))
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s:\n%s", strings.Join(missing, "\n"))
		}
	}
}

func TestMetricsShowRetriesAndThePoisonQueue(t *testing.T) {
	s := startServer(t, "CONSUMER_MAX_RETRIES", "2", "METRICS_ADDR", "public")
	notifications := openModuleDB(t, s.Config, "notifications")
	execSQL(t, notifications.Write, `ALTER TABLE recipients RENAME TO recipients_broken`)
	s.signUp(t)

	eventually(t, "the welcome event in the poison queue", func() bool {
		v, _ := value(s.scrape(t), "modmono_poison_queue_size", "module", "notifications")
		return v == 1
	})
	m := s.scrape(t)
	labels := []string{"module", "notifications", "event_type", "users.UserRegistered.v1"}
	if v, _ := value(m, "modmono_event_retries_total", labels...); v != 2 {
		t.Errorf("%v retries, want 2", v)
	}
	if v, _ := value(m, "modmono_event_handling_seconds", append(labels, "outcome", "error")...); v != 3 {
		t.Errorf("%v failed attempts, want 3", v)
	}
}

func TestMadeUpMethodsDoNotGrowMetrics(t *testing.T) {
	s := startServer(t, "METRICS_ADDR", "public")
	madeUp := func(i int) string {
		path := []string{"/v1/orders", "/no/such/z%dz", "/v1/orders/z%dz"}[i%3]
		if strings.Contains(path, "%d") {
			path = fmt.Sprintf(path, i)
		}
		return fmt.Sprintf("M%dX %s HTTP/1.1\r\nHost: test\r\n\r\n", i, path)
	}
	// Each path is new, and the method too. The first few make the series
	// an unknown method has (OTHER on each route), and the first scrape those of scrapes; what follows must add
	// none.
	sendRaw(t, s.URL, 3, madeUp)
	s.do(t, request{Method: "GET", Path: "/metrics"}).expect(t, 200)
	before := len(s.do(t, request{Method: "GET", Path: "/metrics"}).expect(t, 200).Body)

	const n = 20000
	start := time.Now()
	sendRaw(t, s.URL, n, func(i int) string { return madeUp(i + 3) })
	t.Logf("%d requests in %v", n, time.Since(start))

	m := s.scrape(t)
	if v, ok := value(m, "modmono_http_requests_total", "method", "OTHER"); !ok || v == 0 {
		t.Errorf("no request counted under method OTHER")
	}
	for _, mf := range m {
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				v := l.GetValue()
				if strings.HasPrefix(v, "M") && strings.HasSuffix(v, "X") || strings.Contains(v, "/z") {
					t.Fatalf("%s has a label %s=%q", mf.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	after := len(s.do(t, request{Method: "GET", Path: "/metrics"}).expect(t, 200).Body)
	if after > before*11/10 {
		t.Errorf("/metrics grew from %d to %d bytes", before, after)
	}
}

// sendRaw sends n requests, request(i) each, on one keep-alive connection
// to base, pipelined, and reads every response.
func sendRaw(t *testing.T, base string, n int, request func(i int) string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	written := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(conn)
		for i := range n {
			if _, err := w.WriteString(request(i)); err != nil {
				written <- err
				return
			}
		}
		written <- w.Flush()
	}()
	r := bufio.NewReader(conn)
	for i := range n {
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
}

func TestMetricsAddrMovesMetricsOffThePublicPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := startServer(t, "METRICS_ADDR", addr)

	s.do(t, request{Method: "GET", Path: "/metrics"}).expect(t, 404)
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.Contains(string(body), "modmono_http_requests_total") ||
		!strings.Contains(string(body), "modmono_outbox_backlog") {
		t.Fatalf("the metrics listener answered %d:\n%.500s", res.StatusCode, body)
	}
	if doc := s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).Body; strings.Contains(string(doc), `"/metrics"`) {
		t.Error("the public OpenAPI document lists /metrics")
	}
}

func TestThePublicPortServesMetricsOnlyWhenAsked(t *testing.T) {
	for _, c := range []struct {
		name, metricsAddr string
		status            int
	}{
		{"METRICS_ADDR unset", "", 404},
		{"METRICS_ADDR=public", "public", 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, "METRICS_ADDR", c.metricsAddr)
			res := s.do(t, request{Method: "GET", Path: "/metrics"}).expect(t, c.status)
			if served := strings.Contains(string(res.Body), "modmono_http_requests_total"); served != (c.status == 200) {
				t.Errorf("/metrics answered %d:\n%.300s", res.Status, res.Body)
			}
			doc := s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).Body
			if listed := strings.Contains(string(doc), `"/metrics"`); listed != (c.status == 200) {
				t.Errorf("the OpenAPI document lists /metrics: %v, want %v", listed, c.status == 200)
			}
		})
	}
}
