package wiring_test

import "testing"

func BenchmarkTmpHTTP(b *testing.B) {
	r := measurePlaceOrderHTTP(b)
	b.ReportMetric(r.rate, "orders/s")
}
