package wiring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// MetricsOnPublicPort is the METRICS_ADDR that asks for /metrics on the
// public port, beside the API. Unset, METRICS_ADDR serves it nowhere: what
// /metrics tells (routes, traffic, backlogs) is for the operator alone, so
// the public port has it only when the operator says so.
const MetricsOnPublicPort = "public"

// serveMetrics serves /metrics on cfg.MetricsAddr, when that is an
// address, until the returned function stops it: a listener of its own,
// which the operator keeps off the public network, with timeouts so that
// nothing holds it.
func (s *Server) serveMetrics() (stop func(), err error) {
	switch s.cfg.MetricsAddr {
	case "":
		s.logger.Info("metrics not served: set METRICS_ADDR, e.g. 127.0.0.1:9090")
		return func() {}, nil
	case MetricsOnPublicPort: // newServer routed it
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("METRICS_ADDR: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    8 << 10,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("metrics listener stopped", "error", err)
		}
	}()
	s.logger.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		<-done
	}, nil
}
