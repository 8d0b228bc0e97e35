package wiring_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"

	"example.com/modmono/platform/natsbus/natsbustest"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// BenchmarkPeerWatermillSQL measures the standard peer for this job,
// Watermill's SQL Pub/Sub on PostgreSQL, written here as its documentation
// has a user write it: the order's row and its event inserted in one
// transaction (the publisher on that transaction), a subscriber polling
// every 10 ms (PollInterval; the default is 1 s) that applies each event in
// a transaction of its own (an inbox row and a notification row). Next to
// it, in the same run, at the same rates (200 and 1,000 orders/s), ours:
// BenchmarkEventLatency on PostgreSQL with the in-process bus, and on
// PostgreSQL + NATS JetStream. Each path reports p50_ms and p99_ms (from
// the order's commit to its effect's, both stamped just before commit),
// cpu_ms/order (the whole machine, so PostgreSQL and NATS included; ours
// also places each order over HTTP, the peer calls its code directly) and
// proc_cpu_ms/order (this process alone). Skipped without
// TEST_DATABASE_URL, and the NATS paths without TEST_NATS_URL.
func BenchmarkPeerWatermillSQL(b *testing.B) {
	for _, rate := range []int{200, 1000} {
		b.Run(fmt.Sprintf("peer_%d", rate), func(b *testing.B) {
			measurePeer(b, sqldbtest.PostgresURL(b), rate).report(b)
		})
		b.Run(fmt.Sprintf("ours_postgres_%d", rate), func(b *testing.B) {
			measureEventLatency(b, rate, "LOG_LEVEL", "warn", "DATABASE_URL", sqldbtest.PostgresURL(b)).report(b)
		})
		b.Run(fmt.Sprintf("ours_postgres_nats_%d", rate), func(b *testing.B) {
			url, stream := natsbustest.Stream(b)
			measureEventLatency(b, rate, "LOG_LEVEL", "warn", "DATABASE_URL", sqldbtest.PostgresURL(b),
				"BUS", "nats", "NATS_URL", url, "NATS_STREAM", stream).report(b)
		})
	}
}

const peerTopic = "orders_placed"

// peerEvent is the peer's event: the order, and when it was committed.
type peerEvent struct {
	OrderID  string    `json:"order_id"`
	UserID   string    `json:"user_id"`
	Total    int64     `json:"total_cents"`
	Measured bool      `json:"measured"`
	PlacedAt time.Time `json:"placed_at"`
}

// measurePeer runs the peer at rate orders per second for 3 s after 1 s of
// warm-up, as measureEventLatency runs ours.
func measurePeer(b *testing.B, url string, rate int) eventResult {
	const warmUp, duration = time.Second, 3 * time.Second
	db := openPeerDB(b, url)
	lat := startPeerConsumer(b, db)
	var failed atomic.Int64
	ticks := time.NewTicker(time.Second / time.Duration(rate))
	defer ticks.Stop()
	var wg sync.WaitGroup
	warm, n := int(warmUp.Seconds())*rate, int(duration.Seconds())*rate
	var cpu0 cpuTime
	var proc0 time.Duration
	for i := -warm; i < n; i++ {
		if i == 0 {
			cpu0, proc0 = machineCPU(), processCPU()
		}
		<-ticks.C
		wg.Go(func() {
			if err := placePeerOrder(db, i >= 0); err != nil {
				failed.Add(1)
				b.Error(err)
			}
		})
	}
	wg.Wait()
	cpu, proc := machineCPU().since(cpu0), processCPU()-proc0
	got := lat.wait(n, 30*time.Second)
	return eventResult{lat: got, orders: n, failed: failed.Load(), cpu: cpu, proc: proc,
		eventsPerSecs: float64(n) / duration.Seconds()}
}

func openPeerDB(b *testing.B, url string) *sql.DB {
	b.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(benchClients)
	db.SetMaxIdleConns(benchClients)
	_, err = db.Exec(`
CREATE TABLE peer_orders (id uuid PRIMARY KEY, user_id uuid NOT NULL, items jsonb NOT NULL, total_cents bigint NOT NULL,
  currency text NOT NULL, shipping_address jsonb NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE peer_inbox (message_id text PRIMARY KEY);
CREATE TABLE peer_notifications (id bigserial PRIMARY KEY, user_id uuid NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL);`)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// placePeerOrder writes an order and publishes its event on the same
// transaction.
func placePeerOrder(db *sql.DB, measured bool) error {
	const items = `[{"sku":"BENCH-1","quantity":2,"unit_price_cents":1250},{"sku":"BENCH-2","quantity":1,"unit_price_cents":99}]`
	const addr = `{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}`
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ev := peerEvent{OrderID: uuid.NewString(), UserID: uuid.NewString(), Total: 2599, Measured: measured}
	if _, err := tx.ExecContext(ctx, `INSERT INTO peer_orders VALUES ($1, $2, $3, 2599, 'EUR', $4, now())`,
		ev.OrderID, ev.UserID, items, addr); err != nil {
		return err
	}
	pub, err := wsql.NewPublisher(tx, wsql.PublisherConfig{SchemaAdapter: wsql.DefaultPostgreSQLSchema{}}, watermill.NopLogger{})
	if err != nil {
		return err
	}
	ev.PlacedAt = time.Now()
	payload, _ := json.Marshal(ev)
	if err := pub.Publish(peerTopic, message.NewMessage(watermill.NewUUID(), payload)); err != nil {
		return err
	}
	return tx.Commit()
}

// peerLatencies collects the measured events' times from commit to effect.
type peerLatencies struct {
	mu  sync.Mutex
	lat []time.Duration
}

func (l *peerLatencies) wait(n int, limit time.Duration) []time.Duration {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		l.mu.Lock()
		done := len(l.lat) >= n
		l.mu.Unlock()
		if done {
			break
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.lat...)
}

// startPeerConsumer subscribes to the peer's topic and applies each event
// in a transaction of its own: skipped when its id is in the inbox, else a
// notification written and the id recorded.
func startPeerConsumer(b *testing.B, db *sql.DB) *peerLatencies {
	b.Helper()
	sub, err := wsql.NewSubscriber(db, wsql.SubscriberConfig{
		ConsumerGroup: "notifications", PollInterval: 10 * time.Millisecond, InitializeSchema: true,
		SchemaAdapter: wsql.DefaultPostgreSQLSchema{}, OffsetsAdapter: wsql.DefaultPostgreSQLOffsetsAdapter{},
	}, watermill.NopLogger{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	msgs, err := sub.Subscribe(ctx, peerTopic)
	if err != nil {
		b.Fatal(err)
	}
	lat := &peerLatencies{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range msgs {
			d, err := applyPeerEvent(ctx, db, m)
			if err != nil {
				m.Nack()
				continue
			}
			if d > 0 {
				lat.mu.Lock()
				lat.lat = append(lat.lat, d)
				lat.mu.Unlock()
			}
			m.Ack()
		}
	}()
	b.Cleanup(func() { cancel(); sub.Close(); <-done })
	return lat
}

// applyPeerEvent applies m and returns, for a measured event, the time
// from its order's commit to just before its effect's.
func applyPeerEvent(ctx context.Context, db *sql.DB, m *message.Message) (time.Duration, error) {
	var ev peerEvent
	if err := json.Unmarshal(m.Payload, &ev); err != nil {
		return 0, nil // a poison message: acked, never applied
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO peer_inbox VALUES ($1) ON CONFLICT DO NOTHING`, m.UUID)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO peer_notifications (user_id, body, created_at) VALUES ($1, $2, now())`,
		ev.UserID, "Your order "+ev.OrderID+" was placed"); err != nil {
		return 0, err
	}
	d := time.Since(ev.PlacedAt)
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	if !ev.Measured {
		return 0, nil
	}
	return d, nil
}
