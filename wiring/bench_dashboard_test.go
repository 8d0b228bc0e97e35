package wiring_test

import (
	"net"
	"strconv"
	"testing"
)

// BenchmarkPlaceOrderWithDashboard is BenchmarkPlaceOrder twice in one run,
// each on a server of its own that is stopped before the next starts: with
// the development dashboard off (as in any deployment), then on, its span
// recorder recording every request and event and its hub following every
// event. dashboard_cost_% is what turning it on cost in orders per second.
func BenchmarkPlaceOrderWithDashboard(b *testing.B) {
	var off loadResult
	b.Run("off", func(b *testing.B) {
		off = measurePlaceOrderHTTP(b, "LOG_LEVEL", "warn")
		b.ReportMetric(off.rate, "orders/s")
		b.ReportMetric(ms(percentile(off.latencies, 0.50)), "p50_ms")
		b.ReportMetric(float64(off.errors), "errors")
	})
	b.Run("on", func(b *testing.B) {
		on := measurePlaceOrderHTTP(b, "LOG_LEVEL", "warn", "DEV_DASHBOARD_ADDR", "127.0.0.1:"+freeLoopbackPort(b))
		b.ReportMetric(on.rate, "orders/s")
		b.ReportMetric(ms(percentile(on.latencies, 0.50)), "p50_ms")
		b.ReportMetric(float64(on.errors), "errors")
		if off.rate > 0 {
			b.ReportMetric(100*(off.rate-on.rate)/off.rate, "dashboard_cost_%")
		}
	})
}

// BenchmarkEventLatencyWithDashboard is BenchmarkEventLatency with the
// development dashboard on.
func BenchmarkEventLatencyWithDashboard(b *testing.B) {
	benchEventLatency(b, "LOG_LEVEL", "warn", "DEV_DASHBOARD_ADDR", "127.0.0.1:"+freeLoopbackPort(b))
}

// freeLoopbackPort is a port free on loopback a moment ago.
func freeLoopbackPort(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
