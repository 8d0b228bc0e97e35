package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"example.com/modmono/platform/natsbus/natsbustest"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// TestTwoInstancesSurviveCrashes runs two server processes on one
// PostgreSQL database and one NATS JetStream stream, spreads clients over
// both, and SIGKILLs and restarts them in turn under write load. Every
// order a client saw acknowledged must exist, with exactly one order_placed
// notification.
func TestTwoInstancesSurviveCrashes(t *testing.T) {
	dbURL := sqldbtest.PostgresURL(t)
	natsURL, stream := natsbustest.Stream(t)
	bin := buildBinary(t)
	env := []string{"DATABASE_URL=" + dbURL, "BUS=nats", "NATS_URL=" + natsURL, "NATS_STREAM=" + stream,
		"NATS_ACK_WAIT=2s", "RELAY_POLL_INTERVAL=100ms"}
	procs := []*process{
		{bin: bin, dataDir: t.TempDir(), port: freePort(t), t: t, env: env},
		{bin: bin, dataDir: t.TempDir(), port: freePort(t), t: t, env: env},
	}
	for _, p := range procs {
		p.start()
	}
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()

	const users = 4
	tokens := make([]string, users)
	for i := range tokens {
		tokens[i] = procs[i%2].signUp(fmt.Sprintf("twin%d@example.com", i))
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 2 * time.Second}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				// Each client alternates between the instances.
				if id, ok := procs[(c+n)%2].placeOrder(client, tokens[c%users]); ok {
					mu.Lock()
					seen[id] = true
					mu.Unlock()
				} else {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}()
	}
	for kill := 0; kill < 4; kill++ {
		time.Sleep(time.Duration(400+rand.IntN(600)) * time.Millisecond)
		p := procs[kill%2]
		p.kill()
		p.start()
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(seen) < 50 {
		t.Fatalf("only %d orders acknowledged under load: the test proves little", len(seen))
	}

	total := 0
	for i, token := range tokens {
		total += checkOrdersNotifiedOnce(t, procs[i%2], token, seen, 90*time.Second)
	}
	mu.Lock()
	for id := range seen {
		if !procs[0].orderExists(anyOwner(procs[0], tokens, id), id) {
			t.Errorf("order %s was acknowledged to a client but is not stored", id)
		}
	}
	mu.Unlock()
	assertOneNotificationPerOrder(t, dbURL)
	t.Logf("%d orders acknowledged, %d committed, 4 SIGKILLs over 2 instances", len(seen), total)
}

// anyOwner returns the token of the user who owns order id ("" if none).
func anyOwner(p *process, tokens []string, id string) string {
	for _, token := range tokens {
		if p.orderExists(token, id) {
			return token
		}
	}
	return ""
}

// assertOneNotificationPerOrder compares the stores themselves: as many
// order_placed notifications as orders, across all users. (A notification's
// event_id is UNIQUE, so the same event cannot be applied twice; an event
// relayed twice under two ids, or never, would show here.)
func assertOneNotificationPerOrder(t *testing.T, dbURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var orders, placed int
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM orders.orders),
(SELECT count(*) FROM notifications.notifications WHERE kind = 'order_placed')`).Scan(&orders, &placed)
	if err != nil {
		t.Fatal(err)
	}
	if orders != placed {
		t.Errorf("%d orders stored, %d order_placed notifications", orders, placed)
	}
}
