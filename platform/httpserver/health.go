package httpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Check is one readiness probe, e.g. "orders database answers and is migrated".
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// RegisterHealth adds GET /healthz (the process runs) and GET /readyz (every
// check passes, else 503 naming the failures).
func RegisterHealth(e *echo.Echo, checks []Check) {
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		status, results := http.StatusOK, make(map[string]string, len(checks))
		for _, ch := range checks {
			results[ch.Name] = "ok"
			if err := ch.Check(ctx); err != nil {
				status, results[ch.Name] = http.StatusServiceUnavailable, err.Error()
			}
		}
		body := map[string]any{"status": "ready", "checks": results}
		if status != http.StatusOK {
			body["status"] = "unavailable"
		}
		return c.JSON(status, body)
	})
}
