package wiring_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// spec checks responses against the OpenAPI document a server serves.
// startServer installs one, so every response of the black-box suite is
// checked against the document.
type spec struct {
	mu sync.Mutex // the validator is not documented as safe for concurrent use
	v  validator.Validator
}

func newSpec(t testing.TB, raw []byte) *spec {
	t.Helper()
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("openapi.json: %v", errs)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("openapi.json is not a valid OpenAPI 3.1 document: %s (%s)", e.Message, e.Reason)
		}
		t.FailNow()
	}
	return &spec{v: v}
}

// check fails the test when the response to req is not what the document
// says. Only the router's own 404 and 405 may answer paths or methods the
// document does not list.
func (s *spec) check(t testing.TB, req *http.Request, res response) {
	t.Helper()
	httpRes := &http.Response{StatusCode: res.Status, Header: res.Header, Body: io.NopCloser(bytes.NewReader(res.Body)), Request: req}
	s.mu.Lock()
	ok, errs := s.v.ValidateHttpResponse(req, httpRes)
	s.mu.Unlock()
	if ok {
		return
	}
	for _, e := range errs {
		if e.ValidationType == "path" && (res.Status == http.StatusNotFound || res.Status == http.StatusMethodNotAllowed) {
			continue
		}
		t.Errorf("%s %s answered %d, which the OpenAPI document does not allow: %s (%s)\nbody: %s",
			req.Method, req.URL.Path, res.Status, e.Message, e.Reason, res.Body)
	}
}

func TestTheOpenAPIDocumentListsEveryRoute(t *testing.T) {
	s := startServer(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	// The functions' Echos hold each module's routes and the health checks.
	for name, fn := range startFunctions(t).handlers {
		for _, r := range fn.fn.Echo.Routes() {
			if r.Method == echo.RouteNotFound {
				continue // a group's catch-all, answering 404
			}
			path := strings.ReplaceAll(r.Path, ":id", "{id}")
			if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
				t.Errorf("%s serves %s %s, which the OpenAPI document does not list", name, r.Method, r.Path)
			}
		}
	}
}
