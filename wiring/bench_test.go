package wiring_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"example.com/modmono/migrations"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/natsbus/natsbustest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
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
	r := measurePlaceOrderHTTP(b, "LOG_LEVEL", "warn")
	r.report(b, ceiling)
	b.ReportMetric(float64(r.busy), "sqlite_busy")
}

type loadResult struct {
	rate         float64
	latencies    []time.Duration
	errors, busy int64
	// procCPU is this process's CPU time per order placed: the load's,
	// the server's, and its relays' and consumers'.
	procCPU time.Duration
}

// report reports r next to the ceiling measured in the same run.
func (r loadResult) report(b *testing.B, ceiling loadResult) {
	b.ReportMetric(r.rate, "orders/s")
	b.ReportMetric(ceiling.rate, "ceiling_orders/s")
	b.ReportMetric(r.rate/ceiling.rate, "ratio_to_ceiling")
	b.ReportMetric(ms(percentile(r.latencies, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(r.latencies, 0.99)), "p99_ms")
	b.ReportMetric(ms(percentile(ceiling.latencies, 0.99)), "ceiling_p99_ms")
	b.ReportMetric(float64(r.errors), "errors")
}

// measurePlaceOrderHTTP runs benchClients clients, each placing orders back
// to back for benchDuration, each client as a user of its own.
func measurePlaceOrderHTTP(b *testing.B, env ...string) loadResult {
	return measurePlaceOrderUsers(b, benchClients, env...)
}

// measurePlaceOrderUsers is measurePlaceOrderHTTP with the clients acting
// for users users, client i for user i%users.
func measurePlaceOrderUsers(b *testing.B, users int, env ...string) loadResult {
	b.Helper()
	s := startServer(b, env...)
	tokens := make([]string, users)
	for i := range tokens {
		_, tokens[i] = s.signUp(b)
	}
	return placeOrders(s.URL+"/v1/orders", tokens, benchDuration)
}

// placeOrders runs benchClients clients against url, each placing orders
// back to back for d, client i with tokens[i%len(tokens)].
func placeOrders(url string, tokens []string, d time.Duration) loadResult {
	body, _ := json.Marshal(benchOrder)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}

	var ok, failed, busy atomic.Int64
	latencies := make([][]time.Duration, benchClients)
	deadline := time.Now().Add(d)
	start, proc0 := time.Now(), processCPU()
	var wg sync.WaitGroup
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				status, raw, err := post(client, url, tokens[c%len(tokens)], body)
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
	client.CloseIdleConnections()
	return loadResult{
		rate:      float64(ok.Load()) / time.Since(start).Seconds(),
		latencies: slices.Concat(latencies...),
		errors:    failed.Load(),
		busy:      busy.Load(),
		procCPU:   (processCPU() - proc0) / time.Duration(max(ok.Load(), 1)),
	}
}

func post(client *http.Client, url, token string, body []byte) (int, []byte, error) {
	return send(client, http.MethodPost, url, token, body)
}

// send makes one authenticated JSON request and returns the status and body.
func send(client *http.Client, method, url, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
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
func measureCeiling(b *testing.B) loadResult {
	b.Helper()
	db := openOrdersDB(b)
	return perSecond(b, sqliteOrderWrite(b, db))
}

// sqliteOrderWrite returns a function that writes an order's row and its
// outbox event to db in one transaction, as the orders module does.
func sqliteOrderWrite(b *testing.B, db *sqldb.DB) func() error {
	outbox := messagingtest.Outbox(b, "orders")
	items := `[{"sku":"BENCH-1","quantity":2,"unit_price_cents":1250},{"sku":"BENCH-2","quantity":1,"unit_price_cents":99}]`
	addr := `{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}`
	return func() error {
		ctx, userID := context.Background(), uuid.NewString()
		return db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			id, now := uuid.NewString(), time.Now().UTC().Format(time.RFC3339Nano)
			if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, user_id, status, items, total_cents, currency,
shipping_address, created_at, updated_at) VALUES ($1, $2, 'placed', $3, 2599, 'EUR', $4, $5, $5)`, id, userID, items, addr, now); err != nil {
				return err
			}
			return outbox.Add(ctx, tx, "orders.OrderPlaced.v1", map[string]any{"order_id": id, "user_id": userID})
		})
	}
}

// perSecond calls write from benchClients goroutines, back to back, for
// benchDuration, and returns the calls per second and how long each took;
// an error fails b.
func perSecond(b *testing.B, write func() error) loadResult {
	var n atomic.Int64
	latencies := make([][]time.Duration, benchClients)
	deadline := time.Now().Add(benchDuration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := write(); err != nil {
					b.Error(err)
					return
				}
				latencies[c] = append(latencies[c], time.Since(t0))
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return loadResult{rate: float64(n.Load()) / time.Since(start).Seconds(), latencies: slices.Concat(latencies...)}
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
// both stamped inside their transactions just before commit. cpu_ms/order
// is the machine's CPU time while the orders were placed, per order: what
// the load, the server and the services it uses cost together. busy_% is
// the share of the CPUs' time that went to it (at 100 the orders queue for
// a CPU), steal_% the share the host took for other virtual machines.
// disk_sync_* is a diskProbe's, beside the load while it is measured.
func BenchmarkEventLatency(b *testing.B) {
	benchEventLatency(b, "LOG_LEVEL", "warn")
}

// BenchmarkEventLatencyPostgresNATS is BenchmarkEventLatency with the
// modules on PostgreSQL and the events on NATS JetStream. Before it, in the
// same run, it measures the floor under it: the commit latency of the same
// order and outbox rows written straight to the same PostgreSQL at the same
// rate, each pair one transaction sent in one round trip, with no server,
// relay, bus or consumer running (floor_*), and what that costs the
// machine's CPUs. Each event's path holds its order's commit, which waits
// for the write-ahead log to reach the disk, and pays for two such
// commits: the order's and its consumer's.
func BenchmarkEventLatencyPostgresNATS(b *testing.B) {
	url, stream := natsbustest.Stream(b)
	floor, floorCPU := measureCommitFloor(b, sqldbtest.PostgresURL(b), benchRate())
	benchEventLatency(b, "LOG_LEVEL", "warn", "DATABASE_URL", sqldbtest.PostgresURL(b),
		"BUS", "nats", "NATS_URL", url, "NATS_STREAM", stream)
	b.ReportMetric(ms(percentile(floor, 0.50)), "floor_p50_ms")
	b.ReportMetric(ms(percentile(floor, 0.99)), "floor_p99_ms")
	b.ReportMetric(ms(percentile(floor, 1)), "floor_max_ms")
	floorCPU.report(b, "floor_", len(floor))
}

// benchRate is the latency benchmarks' orders per second: 1,000, or
// BENCH_RATE.
func benchRate() int {
	if r, err := strconv.Atoi(os.Getenv("BENCH_RATE")); err == nil && r > 0 {
		return r
	}
	return 1000
}

func benchEventLatency(b *testing.B, env ...string) {
	measureEventLatency(b, benchRate(), env...).report(b)
}

// eventResult is what measureEventLatency measured: each order's time to
// its notification, and the CPU time the machine and this process (load,
// server, relays and consumers) spent while the orders were placed.
type eventResult struct {
	lat           []time.Duration
	orders        int
	failed        int64
	cpu           cpuTime
	proc          time.Duration
	syncs         []time.Duration
	eventsPerSecs float64
}

func (r eventResult) report(b *testing.B) {
	b.ReportMetric(r.eventsPerSecs, "orders/s")
	b.ReportMetric(ms(percentile(r.lat, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(r.lat, 0.99)), "p99_ms")
	b.ReportMetric(ms(percentile(r.lat, 1)), "max_ms")
	b.ReportMetric(float64(r.orders-len(r.lat)), "missing")
	b.ReportMetric(float64(r.failed), "errors")
	r.cpu.report(b, "", r.orders)
	if r.orders > 0 {
		b.ReportMetric(ms(r.proc)/float64(r.orders), "proc_cpu_ms/order")
	}
	if r.syncs != nil {
		b.ReportMetric(ms(percentile(r.syncs, 0.99)), "disk_sync_p99_ms")
		b.ReportMetric(ms(percentile(r.syncs, 1)), "disk_sync_max_ms")
	}
}

// measureEventLatency places orders at rate per second on a server started
// with env, as BenchmarkEventLatency describes.
func measureEventLatency(b *testing.B, rate int, env ...string) eventResult {
	// The first second warms the server up (its pools open their
	// connections, the consumers their pulls) and is not measured: the
	// figure is the latency of a server that has been running.
	const warmUp, duration, users = time.Second, 3 * time.Second, 16
	s := startServer(b, env...)
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
	disk := newDiskProbe(b)
	settleDisk()
	ticks := time.NewTicker(time.Second / time.Duration(rate))
	defer ticks.Stop()
	var wg sync.WaitGroup
	warm, n := int(warmUp.Seconds()*float64(rate)), int(duration.Seconds())*rate
	b.ResetTimer()
	var cpu0 cpuTime
	var proc0 time.Duration
	for i := -warm; i < n; i++ {
		if i == 0 {
			cpu0, proc0 = machineCPU(), processCPU()
			disk.start()
		}
		<-ticks.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, raw, err := post(client, s.URL+"/v1/orders", tokens[(i+warm)%users], body)
			var o placed
			if err != nil || status != 201 || json.Unmarshal(raw, &o) != nil {
				failed.Add(1)
				return
			}
			if i < 0 {
				return
			}
			mu.Lock()
			orders[o.ID] = o.CreatedAt
			mu.Unlock()
		}()
	}
	wg.Wait()
	cpu, proc := machineCPU().since(cpu0), processCPU()-proc0
	syncs := disk.stop()
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
	return eventResult{lat: lat, orders: len(orders), failed: failed.Load(), cpu: cpu, proc: proc, syncs: syncs,
		eventsPerSecs: float64(len(orders)) / duration.Seconds()}
}

// processCPU is the user and system CPU time this process has used, from
// Linux's /proc/self/stat (zero elsewhere).
func processCPU() time.Duration { return statCPU("/proc/self/stat", false) }

// BenchmarkDiskSync is the disk alone, with no load: diskProbe's samples
// over 10 s. Every durable commit on this machine waits for such a sync.
func BenchmarkDiskSync(b *testing.B) {
	disk := newDiskProbe(b)
	disk.start()
	time.Sleep(10 * time.Second)
	syncs := disk.stop()
	b.ReportMetric(ms(percentile(syncs, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(syncs, 0.99)), "p99_ms")
	b.ReportMetric(ms(percentile(syncs, 1)), "max_ms")
	b.ReportMetric(float64(len(syncs)), "syncs")
}

// diskProbe rewrites 8 KiB of a file and syncs its data (fdatasync, as
// PostgreSQL syncs its log on Linux) every 10 ms, and records how long each
// took: how fast this machine's disk makes a write durable, which every
// commit of a local database waits for (the benchmark's PostgreSQL, on the
// machine that runs it, keeps its data on the same disk as the test's
// temporary directory). The syncs run beside the load, one at a time: a
// stall shows as one long sample. A data sync leaves the file system's
// journal alone (a full fsync would commit it for the new modification
// time), so the probe adds no more to the disk's load than its writes.
type diskProbe struct {
	b       *testing.B
	f       *os.File
	stopped chan struct{}
	done    chan []time.Duration
}

// newDiskProbe prepares the probe's file. Its allocation is a burst of
// writes of its own, so it comes before whatever is measured.
func newDiskProbe(b *testing.B) *diskProbe {
	b.Helper()
	f, err := os.Create(b.TempDir() + "/disk-probe")
	if err != nil {
		b.Fatal(err)
	}
	// The file gets its blocks now, so that the samples rewrite them as a
	// database's log does, with no allocation to journal.
	if _, err := f.Write(make([]byte, 128*probeBlock)); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return &diskProbe{b: b, f: f, stopped: make(chan struct{}), done: make(chan []time.Duration, 1)}
}

const probeBlock = 8 << 10

// start begins the samples.
func (p *diskProbe) start() {
	b, f, block := p.b, p.f, make([]byte, probeBlock)
	go func() {
		var syncs []time.Duration
		ticks := time.NewTicker(10 * time.Millisecond)
		defer ticks.Stop()
		for i := 0; ; i++ {
			select {
			case <-p.stopped:
				p.done <- syncs
				return
			case <-ticks.C:
			}
			start := time.Now()
			if _, err := f.WriteAt(block, int64(i%128)*int64(len(block))); err != nil {
				b.Error(err)
			} else if err := syncData(f); err != nil {
				b.Error(err)
			}
			syncs = append(syncs, time.Since(start))
		}
	}()
}

// stop ends the probe and returns its samples.
func (p *diskProbe) stop() []time.Duration {
	close(p.stopped)
	return <-p.done
}

// cpuTime is what the machine's CPUs did since it booted (all zero off
// Linux): busy running any process (the server, the load, PostgreSQL,
// NATS, the kernel's own threads: they share the machine), stolen by the
// host that runs this virtual machine, and the CPUs' whole time.
//
// busy is the sum of every process's own CPU time (/proc/PID/stat, its
// threads' and its reaped children's), not /proc/stat's busy ticks: those
// are sampled at the scheduler's tick, and on this project's VM they saw a
// quarter of a load made of short bursts (the server at 250 orders/s used
// 0.3 s of CPU a second by its own count while /proc/stat's user and system
// ticks grew by 0.07 s a second). A process's own time is measured at every
// switch. steal still comes from /proc/stat: it has no other source.
type cpuTime struct{ busy, steal, total time.Duration }

func machineCPU() cpuTime {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTime{}
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(fields) < 9 || fields[0] != "cpu" {
		return cpuTime{}
	}
	var t cpuTime
	for _, f := range fields[1:9] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return cpuTime{}
		}
		t.total += time.Duration(v) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	}
	steal, _ := strconv.ParseInt(fields[8], 10, 64)
	t.steal = time.Duration(steal) * 10 * time.Millisecond
	t.busy = processesCPU()
	return t
}

// processesCPU is the CPU time every process now running has used, with
// that of the children it has reaped (a PostgreSQL backend that ended is
// counted in its postmaster's): a process that ends between two readings
// moves its time into its parent's, so their difference counts it once.
func processesCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total time.Duration
	for _, path := range stats {
		total += statCPU(path, true) // zero for a process that ended meanwhile
	}
	return total
}

// statCPU is the user and system CPU time in the /proc/PID/stat at path,
// with that of the children it reaped if children is set; zero when it
// cannot be read.
func statCPU(path string, children bool) time.Duration {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(fields) < 15 {
		return 0
	}
	last := 13 // utime stime
	if children {
		last = 15 // and cutime cstime
	}
	var ticks int64
	for _, f := range fields[11:last] {
		v, _ := strconv.ParseInt(f, 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// since is what the CPUs did between start and t.
func (t cpuTime) since(start cpuTime) cpuTime {
	return cpuTime{t.busy - start.busy, t.steal - start.steal, t.total - start.total}
}

// report reports, for a window in which n orders were placed, the CPU time
// per order (cpu_ms/order) and the shares of the CPUs' time that were busy
// and stolen (busy_%, steal_%), with names prefixed by prefix.
func (t cpuTime) report(b *testing.B, prefix string, n int) {
	if t.total <= 0 || n == 0 {
		return
	}
	b.ReportMetric(ms(t.busy)/float64(n), prefix+"cpu_ms/order")
	b.ReportMetric(100*float64(t.busy)/float64(t.total), prefix+"busy_%")
	b.ReportMetric(100*float64(t.steal)/float64(t.total), prefix+"steal_%")
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

// BenchmarkPlaceOrderPostgres is BenchmarkPlaceOrder with the modules on
// PostgreSQL (in-process bus), 32 clients over 32 users, next to its
// ceiling in the same run: the same order and outbox rows inserted straight
// with pgx by 32 goroutines on a pool of 32 connections, each pair in one
// transaction sent in one round trip (BEGIN, the two INSERTs and COMMIT
// pipelined in one batch). ratio_to_ceiling's goal is 0.6 (issue 20).
func BenchmarkPlaceOrderPostgres(b *testing.B) {
	url := sqldbtest.PostgresURL(b)
	ceiling := measurePostgresCeiling(b, sqldbtest.PostgresURL(b))
	r := measurePlaceOrderHTTP(b, "LOG_LEVEL", "warn", "DATABASE_URL", url, "DB_MAX_CONNS", strconv.Itoa(benchClients))
	r.report(b, ceiling)
}

// BenchmarkPlaceOrderPostgresOneUser is BenchmarkPlaceOrderPostgres with
// its 32 clients acting for one user: each order takes the user's lock
// (store.lock), so one user's orders commit one at a time, by design.
func BenchmarkPlaceOrderPostgresOneUser(b *testing.B) {
	url := sqldbtest.PostgresURL(b)
	r := measurePlaceOrderUsers(b, 1, "LOG_LEVEL", "warn", "DATABASE_URL", url, "DB_MAX_CONNS", strconv.Itoa(benchClients))
	b.ReportMetric(r.rate, "orders/s")
	b.ReportMetric(ms(percentile(r.latencies, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(r.latencies, 0.99)), "p99_ms")
	b.ReportMetric(float64(r.errors), "errors")
}

func measurePostgresCeiling(b *testing.B, url string) loadResult {
	b.Helper()
	pool := openOrderRowsPool(b, url)
	defer pool.Close() // not to stand beside what is measured next
	ctx := context.Background()
	return perSecond(b, func() error {
		batch := pgx.Batch{}
		batch.Queue("BEGIN")
		_ = insertOrderRows(func(sql string, args ...any) error {
			batch.Queue(sql, args...)
			return nil
		})
		batch.Queue("COMMIT")
		return pool.SendBatch(ctx, &batch).Close()
	})
}

// measureCommitFloor writes the rows of one order and its event at rate
// per second for 3 s, as measurePostgresCeiling does, but each pair sent
// in one round trip (an implicit transaction), and returns how long each
// took from its tick to its commit: the least an order's commit costs on
// this PostgreSQL at this rate. It also returns what the CPUs did meanwhile.
func measureCommitFloor(b *testing.B, url string, rate int) ([]time.Duration, cpuTime) {
	b.Helper()
	pool := openOrderRowsPool(b, url)
	defer pool.Close() // not to stand beside what is measured next
	ctx := context.Background()
	write := func() error {
		var batch pgx.Batch
		_ = insertOrderRows(func(sql string, args ...any) error {
			batch.Queue(sql, args...)
			return nil
		})
		return pool.SendBatch(ctx, &batch).Close()
	}
	// Open the pool's connections and prepare the statements on each, so
	// that no sample pays for them.
	var warm sync.WaitGroup
	for range benchClients {
		warm.Go(func() {
			if err := write(); err != nil {
				b.Error(err)
			}
		})
	}
	warm.Wait()
	settleDisk()
	return atRate(b, rate, write)
}

// atRate calls write rate times a second for 3 s, each call on its own
// goroutine, and returns how long each took from its tick to its return,
// and what the CPUs did meanwhile; an error fails b.
func atRate(b *testing.B, rate int, write func() error) ([]time.Duration, cpuTime) {
	var mu sync.Mutex
	var lat []time.Duration
	ticks := time.NewTicker(time.Second / time.Duration(rate))
	defer ticks.Stop()
	var wg sync.WaitGroup
	cpu0 := machineCPU()
	for range 3 * rate {
		start := <-ticks.C
		wg.Go(func() {
			if err := write(); err != nil {
				b.Error(err)
				return
			}
			d := time.Since(start)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		})
	}
	wg.Wait()
	return lat, machineCPU().since(cpu0)
}

// openOrderRowsPool migrates the orders module's schema into the database
// at url and returns a pool of benchClients connections to it, closed when
// b ends.
func openOrderRowsPool(b *testing.B, url string) *pgxpool.Pool {
	b.Helper()
	ctx := context.Background()
	db, err := sqldb.OpenPostgres(ctx, url, "orders", sqldb.PostgresOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range append(messaging.Schema(), migrations.Of("orders")) {
		if err := db.Migrate(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	conf, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	conf.MaxConns = benchClients
	conf.ConnConfig.RuntimeParams["search_path"] = "orders"
	pool, err := pgxpool.NewWithConfig(ctx, conf)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// insertOrderRows writes an order's row and its event's outbox row, as the
// orders module does, with exec: in a transaction, or into a batch.
func insertOrderRows(exec func(sql string, args ...any) error) error {
	const items = `[{"sku":"BENCH-1","quantity":2,"unit_price_cents":1250},{"sku":"BENCH-2","quantity":1,"unit_price_cents":99}]`
	const addr = `{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}`
	userID, id, eventID := uuid.NewString(), uuid.NewString(), uuid.NewString()
	now := time.Now().UTC()
	at := now.Format(sqldb.TimeLayout)
	payload := fmt.Sprintf(`{"order_id":%q,"user_id":%q,"items":%s,"total_cents":2599,"currency":"EUR","shipping_address":%s,"placed_at":%q}`,
		id, userID, items, addr, at)
	metadata := fmt.Sprintf(`{"event_id":%q,"event_type":"orders.OrderPlaced.v1","producer":"orders","occurred_at":%q,"correlation_id":%q,"name":"orders.OrderPlaced.v1"}`,
		eventID, now.Format(time.RFC3339Nano), eventID)
	if err := exec(`INSERT INTO orders (id, user_id, status, items, total_cents, currency,
shipping_address, created_at, updated_at) VALUES ($1, $2, 'placed', $3, 2599, 'EUR', $4, $5, $5)`, id, userID, items, addr, at); err != nil {
		return err
	}
	return exec(`INSERT INTO pubsub_messages (topic, uuid, payload, metadata, created_at)
VALUES ('outbox', $1, $2, $3, $4)`, eventID, []byte(payload), metadata, sqldb.Time(now))
}
