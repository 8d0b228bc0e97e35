// Package httpserver builds the Echo server every module's routes hang on:
// request ids, access logs, panic recovery, strict JSON binding, and the one
// place where errors become RFC 9457 problem responses.
package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config tunes the server. Zero values take the defaults.
type Config struct {
	// BodyLimit caps request bodies, e.g. "64K". Default: "64K".
	BodyLimit string
	// OwnBodyLimit lists the routes whose handlers limit their bodies
	// themselves: a CloudEvent function acknowledges an oversized event,
	// where a 413 would have it delivered again forever.
	OwnBodyLimit []string
	// ShutdownTimeout bounds how long in-flight requests may finish. Default: 15s.
	ShutdownTimeout time.Duration

	// The net/http server's limits, against slow or greedy clients.
	// Defaults: 5s, 30s, 30s, 2m and 16 KiB.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int

	// ClientIP tells where a client's address comes from. Default: the
	// connection's peer; no header is believed.
	ClientIP ClientIP
	// RateLimit applies to every client on every route but the health
	// checks and /metrics. Default: off.
	RateLimit RateLimit
	// Observe, when set, learns every request's outcome, for metrics;
	// route is the matched pattern, "" when none matched.
	Observe func(method, route string, status int, took time.Duration)
}

func (c *Config) setDefaults() {
	if c.BodyLimit == "" {
		c.BodyLimit = "64K"
	}
	defaults := []struct {
		field *time.Duration
		def   time.Duration
	}{
		{&c.ShutdownTimeout, 15 * time.Second}, {&c.ReadHeaderTimeout, 5 * time.Second},
		{&c.ReadTimeout, 30 * time.Second}, {&c.WriteTimeout, 30 * time.Second}, {&c.IdleTimeout, 2 * time.Minute},
	}
	for _, d := range defaults {
		if *d.field <= 0 {
			*d.field = d.def
		}
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = 16 << 10
	}
}

// New returns an Echo instance with the shared middleware and error handling.
func New(logger *slog.Logger, cfg Config) *echo.Echo {
	cfg.setDefaults()
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(logger)
	e.IPExtractor = cfg.ClientIP.extractor()
	e.Use(requestID, noStoreAuthenticated, traced(), accessLog(logger, cfg.Observe), headerLimit(cfg.MaxHeaderBytes), middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}),
		cfg.RateLimit.Limit(), middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: cfg.BodyLimit,
			Skipper: func(c echo.Context) bool { return slices.Contains(cfg.OwnBodyLimit, c.Path()) }}))
	return e
}

// Serve serves h on ln, with cfg's timeouts and limits, until ctx is done,
// then stops accepting connections and lets in-flight requests finish
// within cfg.ShutdownTimeout. Requests still running then are cut off and
// logged, and Serve returns nil: an unanswered request was never
// acknowledged, so its client retries, and nothing it committed is lost.
func Serve(ctx context.Context, h http.Handler, ln net.Listener, logger *slog.Logger, cfg Config) error {
	cfg.setDefaults()
	var inFlight atomic.Int64
	srv := &http.Server{
		Handler:           counted(h, &inFlight),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("shutdown timed out; requests still in flight were abandoned unanswered",
			"requests", inFlight.Load(), "timeout", cfg.ShutdownTimeout.String())
		_ = srv.Close() // the listener is closed already; this cuts the connections
		err = nil
	}
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// counted serves h, keeping count of the requests in flight.
func counted(h http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		defer n.Add(-1)
		h.ServeHTTP(w, r)
	})
}
