package httpserver_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/httpserver"
)

// A problem answer stays small whatever the request held: a field name the
// client made up is shortened, and at most 20 field errors are listed.
func TestAProblemIsBoundedWhateverTheRequestHeld(t *testing.T) {
	e := httpserver.New(slog.New(slog.NewTextHandler(io.Discard, nil)), httpserver.Config{BodyLimit: "1M"})
	e.POST("/bind", func(c echo.Context) error {
		var dst struct {
			Name string `json:"name"`
		}
		return httpserver.Bind(c, &dst)
	})
	e.POST("/fields", func(c echo.Context) error {
		fields := make([]apperror.FieldError, 500)
		for i := range fields {
			fields[i] = apperror.FieldError{Field: fmt.Sprintf("f%d", i), Detail: strings.Repeat("é", 1000)}
		}
		return apperror.InvalidFields(fields...)
	})
	for _, tc := range []struct{ name, path, body string }{
		{"an unknown field 500 KiB long", "/bind", `{"` + strings.Repeat("x", 500<<10) + `":1}`},
		{"an unknown field of escapes", "/bind", `{"` + strings.Repeat(`\u0001`, 50<<10) + `":1}`},
		{"an unknown field of multi-byte characters", "/bind", `{"` + strings.Repeat("€", 100<<10) + `":1}`},
		{"a wrong type", "/bind", `{"name":[` + strings.Repeat("1,", 100<<10) + `1]}`},
		{"JSON nested 100,000 deep", "/bind", strings.Repeat("[", 100000)},
		{"500 long field errors", "/fields", `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != http.StatusBadRequest || len(body) > 8<<10 || !utf8.ValidString(body) {
				t.Fatalf("%d, %d bytes: %.300s", rec.Code, len(body), body)
			}
			if strings.Count(body, `"field"`) > 20 {
				t.Errorf("%d field errors listed, want at most 20", strings.Count(body, `"field"`))
			}
			t.Logf("%d bytes: %.200s", len(body), body)
		})
	}
}
