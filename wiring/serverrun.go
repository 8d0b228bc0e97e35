package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// runner is a consumer or a relay: Run until closed, Running once it runs.
type runner interface {
	Run(ctx context.Context) error
	Running() chan struct{}
}

// Run starts the metrics listener (when METRICS_ADDR is an address), consumers,
// then relays (a relay must never publish to a bus no consumer listens on
// yet), then workers and the HTTP server on ln. When ctx is done it stops in
// reverse: HTTP drains, relays finish their event in flight, workers and
// consumers stop, and last the metrics listener.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	stopMetrics, err := s.serveMetrics()
	if err != nil {
		return err
	}
	defer stopMetrics()
	stopDashboard, err := s.serveDashboard(ctx)
	if err != nil {
		return err
	}
	defer stopDashboard()
	ctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	bg := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	start := func(name string, run func(context.Context) error, runCtx context.Context) <-chan struct{} {
		done := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			if err := run(runCtx); err != nil && ctx.Err() == nil {
				fail(fmt.Errorf("%s: %w", name, err))
			}
		}()
		return done
	}
	// Only what was started is closed, once it runs (or its Run ended): a
	// Watermill router closed before it runs waits out its close timeout.
	var started started
	if err := s.startConsumersThenRelays(ctx, bg, start, &started); err != nil {
		return s.stop(&wg, started, nil, err)
	}
	workers, stopWorkers := context.WithCancel(bg)
	for _, w := range s.workers {
		start(w.name, w.run, workers)
	}
	s.logger.Info("server listening", "addr", ln.Addr().String(), "data_dir", s.cfg.DataDir)
	err = httpserver.Serve(ctx, s.echo, ln, s.logger, s.cfg.HTTP)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = errors.Join(err, cause)
	}
	return s.stop(&wg, started, stopWorkers, err)
}

// startFunc starts run under runCtx in a goroutine of Run's, named name in
// the error that ends Run; the channel is closed when run returns.
type startFunc func(name string, run func(context.Context) error, runCtx context.Context) <-chan struct{}

// startConsumersThenRelays starts every consumer, then records which relays
// read each outbox, then starts every relay, each once the one before it
// runs; started holds what it started, even when it fails.
func (s *Server) startConsumersThenRelays(ctx, runCtx context.Context, start startFunc, started *started) error {
	for _, c := range s.consumers {
		started.consumers = append(started.consumers, startedRunner{c, start("consumer", c.Run, runCtx)})
		if err := waitRunning(ctx, c); err != nil {
			return err
		}
	}
	if err := s.setRelays(ctx); err != nil {
		return err
	}
	for _, r := range s.relays {
		started.relays = append(started.relays, startedRunner{r, start("relay", r.Run, runCtx)})
		if err := waitRunning(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// setRelays records in every outbox which relays read it, so that relays
// of an earlier configuration (another bus) hold nothing back.
func (s *Server) setRelays(ctx context.Context) error {
	groups := map[*sqldb.DB][]string{}
	var dbs []*sqldb.DB
	for _, r := range s.relays {
		if groups[r.DB()] == nil {
			dbs = append(dbs, r.DB())
		}
		groups[r.DB()] = append(groups[r.DB()], r.Group())
	}
	for _, db := range dbs {
		if err := messaging.SetRelays(ctx, db, groups[db]); err != nil {
			return err
		}
	}
	return nil
}

// started holds the consumers and relays that Run started.
type started struct{ consumers, relays []startedRunner }

// startedRunner is a consumer or relay with the channel closed when its Run
// returns.
type startedRunner struct {
	closer interface {
		runner
		Close() error
	}
	done <-chan struct{}
}

// closeAll closes rs at once, each once it runs or its Run has ended: each
// may wait up to its close timeout for its event in flight, and one after
// another they would add those up.
func closeAll(rs []startedRunner) error {
	errs := make([]error, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() {
			select {
			case <-r.closer.Running():
			case <-r.done:
			}
			errs[i] = r.closer.Close()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func waitRunning(ctx context.Context, r runner) error {
	select {
	case <-r.Running():
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// stop closes relays before consumers: an event in flight is acknowledged by
// its consumers before anything it depends on goes away. A relay or consumer
// that does not finish in time is logged, not returned: what it left is in
// the outbox, or unacknowledged on the bus, and is redone after a restart.
func (s *Server) stop(wg *sync.WaitGroup, started started, stopWorkers context.CancelFunc, err error) error {
	unfinished := closeAll(started.relays)
	if stopWorkers != nil {
		stopWorkers()
	}
	unfinished = errors.Join(unfinished, closeAll(started.consumers))
	wg.Wait()
	if unfinished != nil {
		s.logger.Warn("shutdown left relays or consumers unfinished; their events are redone after a restart", "error", unfinished)
	}
	s.logger.Info("server stopped")
	return err
}

// RunServer runs server mode on cfg.Addr() until ctx is done.
func RunServer(ctx context.Context, cfg Config, logger *slog.Logger) error {
	stopTracing, err := startTracing(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer stopTracing()
	srv, cleanup, err := InitializeServer(cfg, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return srv.Run(ctx, ln)
}
