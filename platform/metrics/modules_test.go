package metrics

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"example.com/modmono/platform/messaging"
)

func TestAFloodOfScrapesReadsEachDatabaseOnceASecond(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	c := newModuleCollector(slog.New(slog.NewTextHandler(io.Discard, nil)))
	c.now = clock
	var reads atomic.Int64
	var backlog atomic.Int64
	c.modules = append(c.modules, &watched{name: "orders", depth: func() int { return 0 },
		read: func(context.Context) (dbGauges, error) {
			reads.Add(1)
			time.Sleep(10 * time.Millisecond) // a query, while other scrapes arrive
			return dbGauges{outbox: messaging.OutboxStatus{Backlog: int(backlog.Load())}, poison: 2}, nil
		}})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)

	backlog.Store(7)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if _, err := reg.Gather(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("100 concurrent scrapes read the database %d times, want 1", n)
	}

	backlog.Store(9)
	advance(scrapeCacheTTL - time.Millisecond)
	if got := gathered(t, reg, "modmono_outbox_backlog"); got != 7 || reads.Load() != 1 {
		t.Errorf("within the second: backlog %v after %d reads, want the cached 7 after 1", got, reads.Load())
	}
	advance(time.Millisecond)
	if got := gathered(t, reg, "modmono_outbox_backlog"); got != 9 || reads.Load() != 2 {
		t.Errorf("after the second: backlog %v after %d reads, want a fresh 9 after 2", got, reads.Load())
	}
}

func gathered(t *testing.T, reg *prometheus.Registry, family string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == family {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s", family)
	return 0
}
