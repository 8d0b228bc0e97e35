package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Check is one readiness probe, e.g. "orders database takes writes".
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// NotReady is a failed check as /readyz tells it: Reason is all a caller
// sees (never a connection string, a user name or a server's error text);
// Err goes to the log.
type NotReady struct {
	Reason string
	Err    error
}

func (e *NotReady) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *NotReady) Unwrap() error { return e.Err }

// Unready returns a check's failure with the reason callers may see.
func Unready(reason string, err error) error { return &NotReady{Reason: reason, Err: err} }

// readinessTTL is how long /readyz reuses the checks' outcome: a check may
// write (see sqldb.DB.CheckWritable), and the endpoint needs no token.
const readinessTTL = time.Second

// checkTimeout bounds each readiness check.
const checkTimeout = 2 * time.Second

// RegisterHealth adds GET /healthz (the process runs) and GET /readyz (every
// check passes; else a 503 problem naming each failing check and why).
func RegisterHealth(e *echo.Echo, checks []Check, logger *slog.Logger) {
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	r := &readiness{checks: checks, logger: logger, failing: map[string]bool{}}
	e.GET("/readyz", func(c echo.Context) error {
		results, failed := r.run(c.Request().Context())
		if len(failed) == 0 {
			return c.JSON(http.StatusOK, map[string]any{"status": "ready", "checks": results})
		}
		p := newProblem(http.StatusServiceUnavailable, "Not ready: "+strings.Join(failed, "; ")+".")
		c.Response().Header().Set("Retry-After", "5")
		c.Response().Header().Set(echo.HeaderContentType, MIMEProblem)
		return c.JSON(http.StatusServiceUnavailable, readinessProblem{Problem: p, Checks: results})
	})
}

// readinessProblem is the body of a 503 from /readyz.
type readinessProblem struct {
	Problem
	// Checks maps each check to "ok" or the reason it failed.
	Checks map[string]string `json:"checks"`
}

// readiness runs the checks at most once per readinessTTL, however many
// callers ask, and logs each check's changes between passing and failing.
type readiness struct {
	checks []Check
	logger *slog.Logger

	mu      sync.Mutex
	at      time.Time
	results map[string]string
	failed  []string
	failing map[string]bool
}

func (r *readiness) run(ctx context.Context) (map[string]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.at) < readinessTTL {
		return r.results, r.failed
	}
	// Each check runs at once with a deadline of its own: one that hangs
	// (a database behind a black hole) must not fail the others.
	ctx = context.WithoutCancel(ctx)
	errs := make([]error, len(r.checks))
	var wg sync.WaitGroup
	for i, ch := range r.checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			errs[i] = ch.Check(ctx)
		})
	}
	wg.Wait()
	r.results, r.failed = make(map[string]string, len(r.checks)), nil
	for i, ch := range r.checks {
		r.results[ch.Name] = "ok"
		if errs[i] != nil {
			r.results[ch.Name] = reason(errs[i])
			r.failed = append(r.failed, ch.Name+": "+reason(errs[i]))
		}
		r.logChange(ctx, ch.Name, errs[i])
	}
	slices.Sort(r.failed)
	r.at = time.Now()
	return r.results, r.failed
}

func (r *readiness) logChange(ctx context.Context, name string, err error) {
	switch {
	case err != nil && !r.failing[name]:
		r.logger.WarnContext(ctx, "not ready", "check", name, "reason", reason(err), "error", err)
	case err == nil && r.failing[name]:
		r.logger.InfoContext(ctx, "ready again", "check", name)
	}
	r.failing[name] = err != nil
}

// reason is what callers may read of a check's error.
func reason(err error) string {
	var nr *NotReady
	if errors.As(err, &nr) {
		return nr.Reason
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "does not answer in time"
	}
	return "check failed"
}
