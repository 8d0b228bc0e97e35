package messaging_test

import (
	"context"
	"testing"
	"time"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// BenchmarkRelayBacklog fills a module's outbox with 100,000 events, then
// starts its relay onto the in-process bus, whose one subscriber acks at
// once, and measures how fast the backlog drains: on SQLite, and on
// PostgreSQL when TEST_DATABASE_URL names a server.
func BenchmarkRelayBacklog(b *testing.B) {
	for _, engine := range sqldbtest.Engines {
		b.Run(string(engine), func(b *testing.B) { benchRelayBacklog(b, engine) })
	}
}

func benchRelayBacklog(b *testing.B, engine sqldb.Dialect) {
	const backlog, perTx = 100_000, 1_000
	db, bus := openDBOn(b, engine), newBus(b)
	outbox := messagingtest.Outbox(b, "bench")
	payload := map[string]any{"order_id": "01a20081-d63f-7532-85a8-bd5331274408", "user_id": "dcaf410d-0d31-4c22-8e9c-797844d35ad3", "total_cents": 2599}
	for i := 0; i < backlog; i += perTx {
		err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
			for j := 0; j < perTx; j++ {
				if err := outbox.Add(ctx, tx, "orders.OrderPlaced.v1", payload); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	received, err := bus.Subscribe(context.Background(), "orders.OrderPlaced.v1")
	if err != nil {
		b.Fatal(err)
	}
	relay, err := messaging.NewRelay(db, bus, messaging.WatermillLogger(quiet), messaging.RelayConfig{})
	if err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	start := time.Now()
	go func() { _ = relay.Run(context.Background()) }()
	for i := 0; i < backlog; i++ {
		select {
		case m := <-received:
			m.Ack()
		case <-time.After(30 * time.Second):
			b.Fatalf("relay stalled after %d events", i)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	relay.Close()
	b.ReportMetric(backlog/elapsed.Seconds(), "events/s")
	b.ReportMetric(elapsed.Seconds(), "drain_s")
}
