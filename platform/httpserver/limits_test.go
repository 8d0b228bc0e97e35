package httpserver_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/httpserver"
)

func TestTheRateLimitKeysOnTheClientAddress(t *testing.T) {
	e := httpserver.New(slog.New(slog.NewTextHandler(io.Discard, nil)), httpserver.Config{RateLimit: httpserver.RateLimit{Rate: 0.1, Burst: 1}})
	e.GET("/x", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	status := func(remoteAddr string) int {
		req := httptest.NewRequest("GET", "/x", nil)
		req.RemoteAddr = remoteAddr
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, tc := range []struct {
		remoteAddr string
		want       int
	}{
		{"192.0.2.1:1234", 204}, {"192.0.2.1:5678", 429}, // one client, two connections
		{"192.0.2.2", 204}, {"192.0.2.2", 429}, // a bare address, as the Lambda adapter sets it
		{"", 204}, {"", 204}, // no address: not one bucket for everyone
	} {
		if got := status(tc.remoteAddr); got != tc.want {
			t.Errorf("from %q: %d, want %d", tc.remoteAddr, got, tc.want)
		}
	}
}
