package wiring_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// spec checks responses against the OpenAPI document a server serves.
// startServer installs one, so every response of the black-box suite is
// checked against the document.
type spec struct {
	mu    sync.Mutex // the validator is not documented as safe for concurrent use
	v     validator.Validator
	paths [][]string // the document's path templates, split at "/"
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
	var listed struct {
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(raw, &listed); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	s := &spec{v: v}
	for p := range listed.Paths {
		s.paths = append(s.paths, strings.Split(p, "/"))
	}
	return s
}

// lists tells whether path is one of the document's paths as written: the
// validator forgives what the router does not (an empty segment, as in
// /v1//orders), and the router's 404 answers those.
func (s *spec) lists(path string) bool {
	segs := strings.Split(path, "/")
	for _, tmpl := range s.paths {
		if len(tmpl) == len(segs) && slices.EqualFunc(tmpl, segs, func(t, s string) bool {
			return t == s || strings.HasPrefix(t, "{") && s != ""
		}) {
			return true
		}
	}
	return false
}

// check fails the test when the response to req is not what the document
// says: a status the operation does not declare, a declared header missing,
// or a header or body its schema refuses.
func (s *spec) check(t testing.TB, req *http.Request, res response) {
	t.Helper()
	for _, p := range s.problems(req, res) {
		t.Errorf("%s %s answered %d, which the OpenAPI document does not allow: %s\nbody: %s",
			req.Method, req.URL.Path, res.Status, p, res.Body)
	}
}

// problems lists how the response to req departs from the document. Only
// the router's own 404 and 405 may answer paths or methods the document
// does not list, and those carry the headers of the document's NotFound and
// MethodNotAllowed responses.
func (s *spec) problems(req *http.Request, res response) []string {
	httpRes := &http.Response{StatusCode: res.Status, Header: res.Header, Body: io.NopCloser(bytes.NewReader(res.Body)), Request: req}
	s.mu.Lock()
	ok, errs := s.v.ValidateHttpResponse(req, httpRes)
	s.mu.Unlock()
	if ok {
		return nil
	}
	var out []string
	routerAnswer := res.Status == http.StatusNotFound && !s.lists(req.URL.Path)
	if routerAnswer {
		return routerHeaders(res)
	}
	for _, e := range errs {
		if e.ValidationType == "path" && (res.Status == http.StatusNotFound || res.Status == http.StatusMethodNotAllowed) {
			routerAnswer = true
			continue
		}
		out = append(out, fmt.Sprintf("%s (%s)", e.Message, e.Reason))
	}
	if routerAnswer {
		out = append(out, routerHeaders(res)...)
	}
	return out
}

// routerHeaders lists the headers missing from the router's own 404 or 405,
// which no operation declares: X-Request-Id on both, Allow on a 405.
func routerHeaders(res response) []string {
	want := []string{"X-Request-Id"}
	if res.Status == http.StatusMethodNotAllowed {
		want = append(want, "Allow")
	}
	var out []string
	for _, h := range want {
		if res.Header.Get(h) == "" {
			out = append(out, fmt.Sprintf("Missing required header (the router's %d has no %s)", res.Status, h))
		}
	}
	return out
}

func TestTheResponseCheckRefusesAnUndeclaredStatusOrAMissingHeader(t *testing.T) {
	s := startServer(t)
	req := func(method, path string) *http.Request {
		r, err := http.NewRequest(method, s.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ok := http.Header{"X-Request-Id": {"r1"}, "Content-Type": {"application/json"}}
	problemJSON := http.Header{"X-Request-Id": {"r1"}, "Content-Type": {"application/problem+json"}}
	body := []byte(`{"type":"urn:modmono:problem:409","title":"Conflict","status":409}`)
	for _, tc := range []struct {
		name string
		req  *http.Request
		res  response
		want string
	}{
		{"a status the operation does not declare", req("GET", "/healthz"), response{Status: 409, Header: problemJSON, Body: body}, "409"},
		{"a response without X-Request-Id", req("GET", "/healthz"), response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"status":"ok"}`)}, "X-Request-Id"},
		{"a 401 without WWW-Authenticate", req("GET", "/v1/users/me"), response{Status: 401, Header: problemJSON, Body: []byte(`{"type":"t","title":"Unauthorized","status":401}`)}, "WWW-Authenticate"},
		{"a 429 without Retry-After", req("GET", "/openapi.json"), response{Status: 429, Header: problemJSON, Body: []byte(`{"type":"t","title":"Too Many Requests","status":429}`)}, "Retry-After"},
		{"a 201 without Location", req("POST", "/v1/users"), response{Status: 201, Header: ok, Body: []byte(`{"id":"0b8f4a39-5c1e-4d8e-9a55-2f0b2a1f3c4d","email":"a@example.com","name":"A","created_at":"2026-01-02T03:04:05Z"}`)}, "Location"},
		{"a router 404 without X-Request-Id", req("GET", "/v1//orders"), response{Status: 404, Header: http.Header{"Content-Type": {"application/problem+json"}}, Body: []byte(`{"type":"t","title":"Not Found","status":404}`)}, "X-Request-Id"},
		{"a router 405 without Allow", req("PATCH", "/v1/users"), response{Status: 405, Header: problemJSON, Body: []byte(`{"type":"t","title":"Method Not Allowed","status":405}`)}, "Allow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(s.spec.problems(tc.req, tc.res), "\n")
			if !strings.Contains(got, tc.want) {
				t.Errorf("the check let it pass, or did not name %s: %q", tc.want, got)
			}
		})
	}
}

// openapiOut is where TestTheOpenAPIDocumentListsEveryRoute writes the
// document the server serves, for a linter: make openapi-lint.
var openapiOut = flag.String("openapi-out", "", "write the served OpenAPI document to this file")

func TestTheOpenAPIDocumentListsEveryRoute(t *testing.T) {
	s := startServer(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	res := s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200)
	res.decode(t, &doc)
	if *openapiOut != "" {
		if err := os.WriteFile(*openapiOut, res.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
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

func TestEveryExampleInTheOpenAPIDocumentFitsItsSchema(t *testing.T) {
	s := startServer(t)
	raw := s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).Body
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020) // OpenAPI 3.1's schemas are JSON Schema 2020-12
	c.AssertFormat()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	checked := 0
	eachExample(doc, "", func(at, name string, value any) {
		checked++
		sch, err := c.Compile("openapi.json#" + at + "/schema")
		if err != nil {
			t.Fatalf("%s: %v", at, err)
		}
		if err := sch.Validate(value); err != nil {
			t.Errorf("example %q at %s does not fit its schema: %#v", name, at, err)
		}
	})
	if checked < 15 {
		t.Errorf("%d examples checked; the document holds more", checked)
	}
}

// eachExample calls f with each example of the media types, parameters and
// headers under v (at the JSON pointer at), and the pointer of the object
// holding it and its schema.
func eachExample(v any, at string, f func(at, name string, value any)) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	if _, hasSchema := obj["schema"]; hasSchema {
		if ex, ok := obj["example"]; ok {
			f(at, "example", ex)
		}
		examples, _ := obj["examples"].(map[string]any)
		for name, e := range examples {
			if e, ok := e.(map[string]any); ok {
				f(at, name, e["value"])
			}
		}
	}
	for k, child := range obj {
		if k == "schema" || k == "examples" || k == "example" {
			continue
		}
		eachExample(child, at+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), f)
	}
}
