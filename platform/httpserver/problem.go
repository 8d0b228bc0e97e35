package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/sqldb"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists the invalid fields of a validation failure.
	Errors []apperror.FieldError `json:"errors,omitempty"`
}

// MIMEProblem is the media type of a Problem.
const MIMEProblem = "application/problem+json"

var kindStatus = map[apperror.Kind]int{
	apperror.Invalid:              http.StatusBadRequest,
	apperror.Unauthorized:         http.StatusUnauthorized,
	apperror.Forbidden:            http.StatusForbidden,
	apperror.NotFound:             http.StatusNotFound,
	apperror.Conflict:             http.StatusConflict,
	apperror.Unprocessable:        http.StatusUnprocessableEntity,
	apperror.TooLarge:             http.StatusRequestEntityTooLarge,
	apperror.UnsupportedMediaType: http.StatusUnsupportedMediaType,
	apperror.TooManyRequests:      http.StatusTooManyRequests,
	apperror.HeadersTooLarge:      http.StatusRequestHeaderFieldsTooLarge,
	apperror.Busy:                 http.StatusServiceUnavailable,
}

func newProblem(status int, detail string) Problem {
	return Problem{Type: problemType(status), Title: http.StatusText(status), Status: status, Detail: detail}
}

// problemType is a stable identifier per status; clients branch on it.
func problemType(status int) string {
	return fmt.Sprintf("urn:modmono:problem:%d", status)
}

// ToProblem maps any error a handler returns to the problem the client sees.
// The second result is false for errors that are not the client's (a 500,
// or a 503 when the database is out of reach), which are logged.
func ToProblem(err error) (Problem, bool) {
	var appErr *apperror.Error
	if errors.As(err, &appErr) {
		if status, ok := kindStatus[appErr.Kind]; ok {
			return bounded(newProblem(status, appErr.Detail), appErr.Fields), true
		}
	}
	var httpErr *echo.HTTPError
	if errors.As(err, &httpErr) && httpErr.Code < 500 {
		return newProblem(httpErr.Code, echoDetail(httpErr)), true
	}
	if errors.Is(err, context.Canceled) {
		// The client went away (or the server is stopping) while the
		// request waited: nobody reads the answer, and nothing failed.
		return newProblem(http.StatusServiceUnavailable, "The request was cancelled before it completed."), true
	}
	if sqldb.IsUnavailable(err) {
		return newProblem(http.StatusServiceUnavailable, "A service the server depends on is unavailable; retry later."), false
	}
	return newProblem(http.StatusInternalServerError, "The server could not complete the request."), false
}

// Bounds on what a problem carries, whatever the request held: a field
// name can come from the client (an unknown field's), and no request may
// buy an answer larger than a few KiB.
const (
	maxProblemFields = 20  // field errors listed (validate lists no more)
	maxFieldName     = 64  // bytes of a field's name, e.g. items[99].unit_price_cents
	maxProblemText   = 256 // bytes of a detail
)

// bounded returns p listing fields, each shortened to the bounds above,
// and at most maxProblemFields of them, the detail saying how many more.
func bounded(p Problem, fields []apperror.FieldError) Problem {
	p.Detail = clip(p.Detail, maxProblemText)
	if more := len(fields) - maxProblemFields; more > 0 {
		fields = fields[:maxProblemFields]
		p.Detail = fmt.Sprintf("The request has invalid fields: the first %d are listed, and %d more.", maxProblemFields, more)
	}
	for _, f := range fields {
		p.Errors = append(p.Errors, apperror.FieldError{Field: clip(f.Field, maxFieldName), Detail: clip(f.Detail, maxProblemText)})
	}
	return p
}

// clip shortens s to at most max bytes, on a character boundary, marking
// the cut with "…".
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func echoDetail(e *echo.HTTPError) string {
	switch e.Code {
	case http.StatusNotFound:
		return "No resource exists at this path."
	case http.StatusMethodNotAllowed:
		return "This path does not accept that method."
	case http.StatusRequestEntityTooLarge:
		return "The request body is larger than the server accepts."
	}
	if msg, ok := e.Message.(string); ok {
		return clip(msg, maxProblemText)
	}
	return http.StatusText(e.Code)
}

func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, ok := ToProblem(err)
		if !ok {
			logger.ErrorContext(c.Request().Context(), "request failed", "error", err,
				"method", c.Request().Method, "path", c.Request().URL.Path)
		}
		if p.Status == http.StatusServiceUnavailable {
			c.Response().Header().Set("Retry-After", "5")
		}
		c.Response().Header().Set(echo.HeaderContentType, MIMEProblem)
		var writeErr error
		if c.Request().Method == http.MethodHead {
			writeErr = c.NoContent(p.Status)
		} else {
			writeErr = c.JSON(p.Status, p)
		}
		if writeErr != nil {
			logger.WarnContext(c.Request().Context(), "cannot write problem response", "error", writeErr)
		}
	}
}
