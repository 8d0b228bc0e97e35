package wiring_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkEventLatencyWithBrokenConsumer changes addresses at a steady 200
// a second and measures, for each change, the time from sending the PUT to
// the committed address_changed notification: notifications' handling of
// UserAddressUpdated. It does so twice, each on a fresh server: with
// nothing broken, then with the topic's other consumer, orders, failing
// every event (its replica table renamed). ratio is the second p99 over
// the first: what one broken consumer costs a healthy one of the same
// topic.
func BenchmarkEventLatencyWithBrokenConsumer(b *testing.B) {
	const rate = 200
	healthy := addressLatencies(b, rate, false)
	broken := addressLatencies(b, rate, true)
	b.ReportMetric(ms(percentile(healthy, 0.50)), "healthy_p50_ms")
	b.ReportMetric(ms(percentile(healthy, 0.99)), "healthy_p99_ms")
	b.ReportMetric(ms(percentile(broken, 0.50)), "broken_p50_ms")
	b.ReportMetric(ms(percentile(broken, 0.99)), "broken_p99_ms")
	b.ReportMetric(float64(percentile(broken, 0.99))/float64(percentile(healthy, 0.99)), "p99_ratio")
}

var addressLine = regexp.MustCompile(`now: (\d+) Bench St`)

// addressLatencies changes addresses at rate a second for 3 s, after 1 s of
// warm-up, and returns each change's time to its notification; with
// breakOrders, orders fails every UserAddressUpdated.
func addressLatencies(b *testing.B, rate int, breakOrders bool) []time.Duration {
	const warmUp, duration, users = time.Second, 3 * time.Second, 16
	s := startServer(b, "LOG_LEVEL", "error")
	if breakOrders {
		execSQL(b, openModuleDB(b, s.Config, "orders").Write, `ALTER TABLE user_addresses RENAME TO user_addresses_broken`)
	}
	tokens := make([]string, users)
	for i := range tokens {
		_, tokens[i] = s.signUp(b)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	sent := map[int]time.Time{}
	ticks := time.NewTicker(time.Second / time.Duration(rate))
	defer ticks.Stop()
	var wg sync.WaitGroup
	warm, n := int(warmUp.Seconds())*rate, int(duration.Seconds())*rate
	for i := -warm; i < n; i++ {
		<-ticks.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]string{"line1": fmt.Sprintf("%d Bench St", i+warm), "city": "Berlin", "postal_code": "10115", "country": "DE"})
			start := time.Now()
			status, _, err := send(client, http.MethodPut, s.URL+"/v1/users/me/address", tokens[(i+warm)%users], body)
			if err != nil || status != 200 {
				b.Errorf("PUT address: %d %v", status, err)
				return
			}
			if i >= 0 {
				mu.Lock()
				sent[i+warm] = start
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	var lat []time.Duration
	for deadline := time.Now().Add(30 * time.Second); len(lat) < len(sent) && time.Now().Before(deadline); {
		lat = lat[:0]
		for _, token := range tokens {
			for _, note := range listNotifications(b, s, token) {
				m := addressLine.FindStringSubmatch(note.Body)
				if note.Kind != "address_changed" || m == nil {
					continue
				}
				k, _ := strconv.Atoi(m[1])
				if at, ok := sent[k]; ok {
					lat = append(lat, note.CreatedAt.Sub(at))
				}
			}
		}
	}
	if len(lat) < len(sent) {
		b.Fatalf("%d of %d address changes never notified", len(sent)-len(lat), len(sent))
	}
	return lat
}
