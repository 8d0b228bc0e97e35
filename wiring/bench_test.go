package wiring_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"example.com/modmono/migrations"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
)

// The figures the issues ask for. Run with `make bench`: each benchmark is a
// fixed workload (-benchtime=1x) that reports its own metrics.
const (
	benchClients  = 32
	benchDuration = 5 * time.Second
)

var benchOrder = map[string]any{
	"items": []map[string]any{
		{"sku": "BENCH-1", "quantity": 2, "unit_price_cents": 1250},
		{"sku": "BENCH-2", "quantity": 1, "unit_price_cents": 99},
	},
	"currency":         "EUR",
	"shipping_address": testAddress,
}

// BenchmarkPlaceOrder measures POST /v1/orders through the real server on
// loopback with 32 concurrent clients, next to its ceiling measured in the
// same run: the same order and outbox rows written straight to SQLite by 32
// goroutines, with no HTTP, JSON or auth.
func BenchmarkPlaceOrder(b *testing.B) {
	ceiling := measureCeiling(b)
	r := measurePlaceOrderHTTP(b)
	b.ReportMetric(r.rate, "orders/s")
	b.ReportMetric(ceiling, "ceiling_orders/s")
	b.ReportMetric(r.rate/ceiling, "ratio_to_ceiling")
	b.ReportMetric(ms(percentile(r.latencies, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(r.latencies, 0.99)), "p99_ms")
	b.ReportMetric(float64(r.errors), "errors")
	b.ReportMetric(float64(r.busy), "sqlite_busy")
}

type loadResult struct {
	rate         float64
	latencies    []time.Duration
	errors, busy int64
}

// measurePlaceOrderHTTP runs benchClients clients, each placing orders back
// to back for benchDuration.
func measurePlaceOrderHTTP(b *testing.B) loadResult {
	b.Helper()
	s := startServer(b, "LOG_LEVEL", "warn")
	tokens := make([]string, benchClients)
	for i := range tokens {
		_, tokens[i] = s.signUp(b)
	}
	body, _ := json.Marshal(benchOrder)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}

	var ok, failed, busy atomic.Int64
	latencies := make([][]time.Duration, benchClients)
	deadline := time.Now().Add(benchDuration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				status, raw, err := post(client, s.URL+"/v1/orders", tokens[c], body)
				switch {
				case err != nil:
					failed.Add(1)
				case status != 201:
					failed.Add(1)
					if strings.Contains(string(raw), "locked") || strings.Contains(string(raw), "busy") {
						busy.Add(1)
					}
				default:
					ok.Add(1)
					latencies[c] = append(latencies[c], time.Since(t0))
				}
			}
		}()
	}
	wg.Wait()
	return loadResult{
		rate:      float64(ok.Load()) / time.Since(start).Seconds(),
		latencies: slices.Concat(latencies...),
		errors:    failed.Load(),
		busy:      busy.Load(),
	}
}

func post(client *http.Client, url, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

// measureCeiling writes what one placed order writes (the order row and its
// outbox event, in one immediate transaction) straight to a fresh orders
// database, from benchClients goroutines, and returns orders per second.
func measureCeiling(b *testing.B) float64 {
	b.Helper()
	db := openOrdersDB(b)
	outbox := messaging.NewOutbox("orders")
	items := `[{"sku":"BENCH-1","quantity":2,"unit_price_cents":1250},{"sku":"BENCH-2","quantity":1,"unit_price_cents":99}]`
	addr := `{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}`
	var n atomic.Int64
	deadline := time.Now().Add(benchDuration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			userID := uuid.NewString()
			for time.Now().Before(deadline) {
				ctx := context.Background()
				err := db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					id, now := uuid.NewString(), time.Now().UTC().Format(time.RFC3339Nano)
					if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, user_id, status, items, total_cents, currency,
shipping_address, created_at, updated_at) VALUES (?, ?, 'placed', ?, 2599, 'EUR', ?, ?, ?)`, id, userID, items, addr, now, now); err != nil {
						return err
					}
					return outbox.Add(ctx, tx, "orders.OrderPlaced.v1", map[string]any{"order_id": id, "user_id": userID})
				})
				if err != nil {
					b.Error(err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

func openOrdersDB(b *testing.B) *sqldb.DB {
	return messagingtest.OpenDB(b, migrations.Of("orders"))
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkEventLatency places orders at a steady 1,000 per second and
// measures, for each, the time from the order's write to the committed
// order_placed notification: notification.created_at − order.created_at,
// both stamped inside their transactions just before commit.
func BenchmarkEventLatency(b *testing.B) {
	const rate, duration, users = 1000, 3 * time.Second, 16
	s := startServer(b, "LOG_LEVEL", "warn")
	tokens := make([]string, users)
	for i := range tokens {
		_, tokens[i] = s.signUp(b)
	}
	body, _ := json.Marshal(benchOrder)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	type placed struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
	}
	var mu sync.Mutex
	orders := map[string]time.Time{}
	var failed atomic.Int64
	ticks := time.NewTicker(time.Second / rate)
	defer ticks.Stop()
	var wg sync.WaitGroup
	n := int(duration.Seconds() * rate)
	b.ResetTimer()
	for i := 0; i < n; i++ {
		<-ticks.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, raw, err := post(client, s.URL+"/v1/orders", tokens[i%users], body)
			var o placed
			if err != nil || status != 201 || json.Unmarshal(raw, &o) != nil {
				failed.Add(1)
				return
			}
			mu.Lock()
			orders[o.ID] = o.CreatedAt
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()

	var lat []time.Duration
	deadline := time.Now().Add(30 * time.Second)
	for len(lat) < len(orders) && time.Now().Before(deadline) {
		lat = lat[:0]
		for _, token := range tokens {
			for _, n := range listNotifications(b, s, token) {
				if m := orderIDInBody(n.Body); n.Kind == "order_placed" && m != "" {
					if at, ok := orders[m]; ok {
						lat = append(lat, n.CreatedAt.Sub(at))
					}
				}
			}
		}
	}
	b.ReportMetric(float64(len(orders))/duration.Seconds(), "orders/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99_ms")
	b.ReportMetric(ms(percentile(lat, 1)), "max_ms")
	b.ReportMetric(float64(len(orders)-len(lat)), "missing")
	b.ReportMetric(float64(failed.Load()), "errors")
}

// listNotifications returns all of a user's notifications.
func listNotifications(tb testing.TB, s *testServer, token string) []notification {
	return allPages[notification](tb, s, token, "/v1/notifications", 100)
}

func orderIDInBody(body string) string {
	_, rest, ok := strings.Cut(body, "order ")
	if !ok || len(rest) < 36 {
		return ""
	}
	return rest[:36]
}
