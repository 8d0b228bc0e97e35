package httpserver

import (
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/logging"
)

// validRequestID accepts what a proxy or client would send: 1 to 128
// characters of letters, digits and "-_.:". Anything else is replaced.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '.' || r == ':'
		if !ok {
			return false
		}
	}
	return true
}

// requestID takes the caller's X-Request-ID when well-formed, makes one
// otherwise, echoes it on the response and puts it in the request context.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		id := req.Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.SetRequest(req.WithContext(logging.WithRequestID(req.Context(), id)))
		return next(c)
	}
}

// accessLog writes one line per request, after the response is decided,
// and tells observe (when set) about it.
func accessLog(logger *slog.Logger, observe func(method, route string, status int, took time.Duration)) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err) // writes the problem response, so its status is logged
			}
			req, res := c.Request(), c.Response()
			level := slog.LevelInfo
			if res.Status >= 500 {
				level = slog.LevelError
			}
			took := time.Since(start)
			logger.Log(req.Context(), level, "request",
				"method", req.Method, "path", req.URL.Path, "route", c.Path(),
				"status", res.Status, "bytes", res.Size, "duration_ms", float64(took.Microseconds())/1000)
			if observe != nil {
				observe(req.Method, c.Path(), res.Status, took)
			}
			return nil
		}
	}
}

// noStoreAuthenticated keeps every answer to a request that carries
// credentials out of shared and browser caches: it is one user's data.
func noStoreAuthenticated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Header.Get(echo.HeaderAuthorization) != "" {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}
