package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/gcffn"
	"example.com/modmono/platform/httpserver"
)

// GCFHandler returns the function cfg.FunctionTarget names (f's HTTP
// function when it names none), registered with the Functions Framework
// and dispatched by the framework's handler, behind an Echo with the
// server's middleware (request ids, access log, panic recovery, header
// limit) that answers the health checks itself. The events function limits
// its body itself, to MAX_EVENT_BYTES.
func GCFHandler(f *Function, cfg Config, logger *slog.Logger) (http.Handler, error) {
	switch cfg.FunctionTarget {
	case "", f.Name:
		fw, err := gcffn.HTTPFunction(f.Name, f.Echo)
		if err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		mux.Handle("/healthz", f.Echo)
		mux.Handle("/readyz", f.Echo)
		mux.Handle("/", fw)
		return mux, nil
	case gcffn.RelayName(f.Name):
		fw, err := gcffn.HTTPFunction(cfg.FunctionTarget, gcffn.Relay(f.RelayOnce, logger))
		if err != nil {
			return nil, err
		}
		return f.serveAlone(cfg.HTTP, logger, fw), nil
	case gcffn.EventsName(f.Name):
		if f.Processor == nil {
			return nil, fmt.Errorf("FUNCTION_TARGET: %s consumes no events, so it has no %s function", f.Name, cfg.FunctionTarget)
		}
		// An event is applied, retries included, within the write timeout
		// less a second to write the answer: past it, Pub/Sub redelivers.
		apply := max(cfg.HTTP.WriteTimeout-time.Second, cfg.HTTP.WriteTimeout/2)
		events, err := gcffn.EventsHandler(cfg.FunctionTarget, f.eventApplier(), f.maxEvent, apply, logger)
		if err != nil {
			return nil, err
		}
		httpCfg := cfg.HTTP
		httpCfg.OwnBodyLimit = []string{"/*"}
		return f.serveAlone(httpCfg, logger, events), nil
	}
	return nil, fmt.Errorf("FUNCTION_TARGET: %q is none of %s's functions", cfg.FunctionTarget, f.Name)
}

// serveAlone serves h on every path but the health checks, as Cloud Run
// serves a function on whatever path it is called.
func (f *Function) serveAlone(cfg httpserver.Config, logger *slog.Logger, h http.Handler) *echo.Echo {
	e := httpserver.New(logger, cfg)
	httpserver.RegisterHealth(e, []httpserver.Check{f.ready}, logger)
	e.Any("/*", echo.WrapHandler(h))
	return e
}

// RunGCF serves the function cfg.FunctionTarget names on cfg.Port until ctx
// is done, through httpserver.Serve: the timeouts, limits and graceful
// drain of server mode.
func RunGCF(ctx context.Context, cfg Config, logger *slog.Logger) error {
	f, stop, err := startFunction(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	h, err := GCFHandler(f, cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	logger.Info("function listening", "module", f.Name, "target", cfg.FunctionTarget, "addr", ln.Addr().String())
	return httpserver.Serve(ctx, h, ln, logger, cfg.HTTP)
}
