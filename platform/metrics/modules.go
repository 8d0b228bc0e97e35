package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// scrapeCacheTTL is how long the database-backed gauges are reused: a flood
// of scrapes runs at most one set of queries per module this often.
const scrapeCacheTTL = time.Second

// moduleCollector reports each module database's writer queue, live, and
// its outbox and poison queue, read at scrape time at most once per
// scrapeCacheTTL.
type moduleCollector struct {
	logger  *slog.Logger
	now     func() time.Time
	modules []*watched
	queue   *prometheus.Desc
	backlog *prometheus.Desc
	oldest  *prometheus.Desc
	poison  *prometheus.Desc
}

// dbGauges are what one read of a module database found.
type dbGauges struct {
	outbox messaging.OutboxStatus
	poison int
}

// watched is one module database and its last read.
type watched struct {
	name  string
	depth func() int
	read  func(ctx context.Context) (dbGauges, error)

	mu   sync.Mutex // held while reading: concurrent scrapes share one read
	at   time.Time
	last dbGauges
	err  error
}

func newModuleCollector(logger *slog.Logger) *moduleCollector {
	return &moduleCollector{
		logger: logger,
		now:    time.Now,
		queue: prometheus.NewDesc("modmono_db_writer_queue_depth",
			"Transactions waiting for a module database's writer.", []string{"module"}, nil),
		backlog: prometheus.NewDesc("modmono_outbox_backlog",
			"Events committed to a module's outbox and not yet relayed.", []string{"module"}, nil),
		oldest: prometheus.NewDesc("modmono_outbox_oldest_age_seconds",
			"Age of the oldest event not yet relayed; 0 when none waits.", []string{"module"}, nil),
		poison: prometheus.NewDesc("modmono_poison_queue_size",
			"Events in a module's poison queue.", []string{"module"}, nil),
	}
}

// add is called while the server is built, before any scrape.
func (c *moduleCollector) add(name string, db *sqldb.DB) {
	c.modules = append(c.modules, &watched{name: name, depth: db.QueueDepth, read: func(ctx context.Context) (dbGauges, error) {
		return readDB(ctx, db)
	}})
}

// readDB runs the queries behind the gauges of one module database.
func readDB(ctx context.Context, db *sqldb.DB) (dbGauges, error) {
	outbox, err := messaging.OutboxBacklog(ctx, db)
	if err != nil {
		return dbGauges{}, err
	}
	poison, err := messaging.PoisonCount(ctx, db)
	return dbGauges{outbox: outbox, poison: poison}, err
}

func (c *moduleCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.queue
	ch <- c.backlog
	ch <- c.oldest
	ch <- c.poison
}

func (c *moduleCollector) Collect(ch chan<- prometheus.Metric) {
	for _, w := range c.modules {
		ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(w.depth()), w.name)
		g, err := c.gauges(w)
		if err != nil {
			continue
		}
		age := 0.0
		if !g.outbox.Oldest.IsZero() {
			age = c.now().Sub(g.outbox.Oldest).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(g.outbox.Backlog), w.name)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age, w.name)
		ch <- prometheus.MustNewConstMetric(c.poison, prometheus.GaugeValue, float64(g.poison), w.name)
	}
}

// gauges returns w's last read when younger than scrapeCacheTTL, else
// reads again. A failed read is kept as long, and logged once.
func (c *moduleCollector) gauges(w *watched) (dbGauges, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.at.IsZero() && c.now().Sub(w.at) < scrapeCacheTTL {
		return w.last, w.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	w.last, w.err = w.read(ctx)
	w.at = c.now()
	if w.err != nil {
		c.logger.WarnContext(ctx, "metrics: cannot read the module database", "module", w.name, "error", w.err)
	}
	return w.last, w.err
}
