// Package devdash is the local development dashboard: one small HTTP
// server on a listener of its own, with embedded pages for the traces an
// in-memory span recorder keeps, the events as they are relayed and
// applied, the queues, an API explorer and the architecture. It knows no
// module: the wiring feeds it through Sources.
//
// It guards itself as a tool on a developer's machine must: it answers
// only requests whose Host names it (no DNS rebinding), refuses
// state-changing requests from another origin (no CSRF from a page the
// developer has open) and, when given a token, every request without it.
package devdash

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"
)

//go:embed assets
var assets embed.FS

// Config says how the dashboard is reached.
type Config struct {
	// Addr is host:port to listen on (loopback unless Token is set: see
	// CheckAddr).
	Addr string
	// Token, when set, is asked of every request: once as ?token= (kept
	// in a cookie) or in the X-Dashboard-Token header.
	Token string
}

// Sources feed the pages. Each may be nil: its page then says it has
// nothing to show.
type Sources struct {
	Spans  *Recorder
	Events *Hub
	Queues Queues
	// API serves the application's routes in-process, for the explorer.
	API http.Handler
	// Architecture describes the system, JSON-encoded as it is.
	Architecture func(ctx context.Context) (any, error)
	// Edges are the live counts on the architecture's edges.
	Edges func(ctx context.Context) (any, error)
}

// Dashboard serves the pages and their JSON.
type Dashboard struct {
	cfg    Config
	src    Sources
	logger *slog.Logger
}

// New returns the dashboard of src.
func New(cfg Config, src Sources, logger *slog.Logger) *Dashboard {
	return &Dashboard{cfg: cfg, src: src, logger: logger}
}

// Handler serves the dashboard behind its guards, as reached at addr, the
// address it listens on.
func (d *Dashboard) Handler(addr string) http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets") // fixed at build time
	mux.Handle("GET /", http.FileServerFS(static))
	d.routes(mux)
	return guard(mux, addr, d.cfg.Token)
}

// Serve serves the dashboard on ln until ctx is done.
func (d *Dashboard) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           d.Handler(ln.Addr().String()),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		// No WriteTimeout: the live events stream stays open.
	}
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Serve(ln) }()
	select {
	case err := <-stopped:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close() // the event streams do not end by themselves
	}
	if err := <-stopped; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
