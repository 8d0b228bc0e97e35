package httpserver

import (
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"example.com/modmono/platform/apperror"
)

// RateLimit is a token bucket per client address: Rate requests a second on
// average, bursts of up to Burst. A zero Rate turns the limit off.
type RateLimit struct {
	Rate  float64
	Burst int
}

// Limit returns middleware that answers 429, with Retry-After, to a client
// over l. The health checks and /metrics are never limited. A client's
// bucket is forgotten once it has refilled, or when MaxClients more recent
// clients push it out, so memory stays bounded whatever the number of
// addresses.
func (l RateLimit) Limit() echo.MiddlewareFunc {
	if l.Rate <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	store := newBuckets(rate.Limit(l.Rate), max(l.Burst, 1), MaxClients)
	retryAfter := strconv.Itoa(int(math.Ceil(1 / l.Rate))) // seconds until the next token
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if isOperational(c) {
				return next(c)
			}
			// A request without a client address (a Lambda behind an ALB
			// gives none) is not limited: one shared bucket would throttle
			// everyone.
			if ip := c.RealIP(); ip != "" {
				if !store.allow(ip, time.Now()) {
					c.Response().Header().Set("Retry-After", retryAfter)
					return apperror.New(apperror.TooManyRequests, "Too many requests: slow down and retry after %s s.", retryAfter)
				}
			}
			return next(c)
		}
	}
}

// isOperational reports whether c is for an endpoint of the operators'
// tools (probes, metrics): never limited, never traced.
func isOperational(c echo.Context) bool {
	return c.Path() == "/healthz" || c.Path() == "/readyz" || c.Path() == "/metrics"
}

// ClientIP tells how a client's address is found: the connection's peer, or
// a header that a trusted proxy sets.
type ClientIP struct {
	// Header is "" (the peer address; no header is believed),
	// "X-Forwarded-For" or "X-Real-IP".
	Header string
	// TrustedProxies are the peers whose Header is believed; no one else's
	// is, not even a private or loopback peer's.
	TrustedProxies []*net.IPNet
}

// extractor returns how Echo's RealIP finds the client. Without it Echo
// would believe any X-Forwarded-For a client sends.
func (c ClientIP) extractor() echo.IPExtractor {
	trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range c.TrustedProxies {
		trust = append(trust, echo.TrustIPRange(n))
	}
	switch strings.ToLower(c.Header) {
	case "x-forwarded-for":
		return echo.ExtractIPFromXFFHeader(trust...)
	case "x-real-ip":
		return echo.ExtractIPFromRealIPHeader(trust...)
	}
	return echo.ExtractIPDirect()
}

// headerLimit refuses requests whose headers pass max bytes. net/http
// enforces MaxHeaderBytes on a connection's first request only: a
// keep-alive follow-up can be read past it.
func headerLimit(max int) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			size := len(req.Method) + len(req.RequestURI) + len(req.Proto) + len(req.Host) + 4
			for k, vs := range req.Header {
				for _, v := range vs {
					size += len(k) + len(v) + 4 // ": " and CRLF
				}
			}
			if size > max {
				return apperror.New(apperror.HeadersTooLarge, "The request headers are larger than %d bytes.", max)
			}
			return next(c)
		}
	}
}
