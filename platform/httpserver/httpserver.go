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
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config tunes the server. Zero values take the defaults.
type Config struct {
	// BodyLimit caps request bodies, e.g. "64K". Default: "64K".
	BodyLimit string
	// ShutdownTimeout bounds how long in-flight requests may finish. Default: 15s.
	ShutdownTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.BodyLimit == "" {
		c.BodyLimit = "64K"
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 15 * time.Second
	}
}

// New returns an Echo instance with the shared middleware and error handling.
func New(logger *slog.Logger, cfg Config) *echo.Echo {
	cfg.setDefaults()
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(logger)
	e.Use(requestID, accessLog(logger), middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}),
		middleware.BodyLimit(cfg.BodyLimit))
	return e
}

// Serve serves h on ln until ctx is done, then stops accepting connections
// and lets in-flight requests finish within timeout.
func Serve(ctx context.Context, h http.Handler, ln net.Listener, logger *slog.Logger, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}
