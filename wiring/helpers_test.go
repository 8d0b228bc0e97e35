package wiring_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/natsbus/natsbustest"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/wiring"
)

// testServer is the real server, all modules, on a loopback port, with its
// databases in a temporary directory.
type testServer struct {
	URL    string
	Config wiring.Config
	client *http.Client
	logs   *logBuffer
	spec   *spec // checks every response, once loaded
}

var testEnv = map[string]string{
	"JWT_SECRET":  "test-secret-test-secret-test-secret-0123",
	"BCRYPT_COST": "4", // the cheapest cost: hashing speed is not under test
	// Tests sign up many users from one address; limits_test.go turns the
	// limit on where it is under test.
	"AUTH_RATE_LIMIT": "0",
	"LOG_LEVEL":       "warn",
	"LOG_FORMAT":      "json",
}

// testConfig is the configuration of testEnv with env (name, value, …) on
// top, and the databases in dataDir.
func testConfig(t testing.TB, dataDir string, env ...string) wiring.Config {
	t.Helper()
	// The keys events are signed with, which tests forge events against:
	// one for each module of the catalog.
	vars := map[string]string{"DATA_DIR": dataDir, "EVENT_SIGNING_KEYS": messagingtest.KeysFor(wiring.Modules...)}
	for k, v := range testEnv {
		vars[k] = v
	}
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = env[i+1]
	}
	cfg, err := wiring.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startServer starts the server with env on top of testEnv. With
// TEST_STORAGE=postgres, its modules keep their data in a PostgreSQL database
// of the test's own (see sqldbtest.PostgresURL), and with TEST_BUS=nats they
// pass events through a JetStream stream of the test's own: the same suite,
// run once per configuration.
func startServer(t testing.TB, env ...string) *testServer {
	t.Helper()
	if os.Getenv("TEST_STORAGE") == "postgres" {
		env = append([]string{"DATABASE_URL", sqldbtest.PostgresURL(t)}, env...)
	}
	if os.Getenv("TEST_BUS") == "nats" {
		url, stream := natsbustest.Stream(t)
		env = append([]string{"BUS", "nats", "NATS_URL", url, "NATS_STREAM", stream}, env...)
	}
	cfg := testConfig(t, t.TempDir(), env...)
	logs := &logBuffer{t: t}
	logger := logging.New(logs, cfg.LogLevel, logging.JSON)
	srv, cleanup, err := wiring.InitializeServer(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with: %v", err)
		}
		cleanup()
	})
	s := &testServer{URL: "http://" + ln.Addr().String(), Config: cfg, client: &http.Client{Timeout: 10 * time.Second}, logs: logs}
	s.spec = newSpec(t, s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).Body)
	return s
}

// logBuffer keeps the server's log lines for assertions and shows them in
// the test log, which go test prints for failures.
type logBuffer struct {
	t     testing.TB
	mu    sync.Mutex
	lines []string
}

func (b *logBuffer) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	b.mu.Lock()
	b.lines = append(b.lines, line)
	b.mu.Unlock()
	if !b.t.Failed() {
		b.t.Log(line)
	}
	return len(p), nil
}

// matching returns the log lines holding every one of parts.
func (b *logBuffer) matching(parts ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range b.lines {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// request is one HTTP call; body is JSON-encoded unless it is a string.
type request struct {
	Method, Path, Token string
	Body                any
	Header              map[string]string
}

func (s *testServer) do(t testing.TB, r request) response {
	t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(r.Method, s.URL+r.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{Status: res.StatusCode, Header: res.Header, Body: raw}
	if s.spec != nil {
		s.spec.check(t, req, out)
	}
	return out
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r response) expect(t testing.TB, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Detail string `json:"detail"`
	} `json:"errors"`
}

// expectProblem checks r is an RFC 9457 problem with status, naming fields.
func (r response) expectProblem(t *testing.T, status int, fields ...string) problem {
	t.Helper()
	r.expect(t, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body: %s", ct, r.Body)
	}
	var p problem
	r.decode(t, &p)
	if p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem: %s", r.Body)
	}
	got := map[string]bool{}
	for _, e := range p.Errors {
		got[e.Field] = true
	}
	for _, f := range fields {
		if !got[f] {
			t.Fatalf("problem does not name field %q: %s", f, r.Body)
		}
	}
	if len(fields) > 0 && len(p.Errors) != len(fields) {
		t.Fatalf("problem names %d fields, want %v: %s", len(p.Errors), fields, r.Body)
	}
	return p
}

type user struct {
	ID      string `json:"id"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Address *struct {
		Line1      string `json:"line1"`
		Line2      string `json:"line2"`
		City       string `json:"city"`
		PostalCode string `json:"postal_code"`
		Country    string `json:"country"`
	} `json:"address"`
	CreatedAt time.Time `json:"created_at"`
}

var userSeq atomic.Int64

// signUp registers a fresh user and logs in, returning the user and token.
func (s *testServer) signUp(t testing.TB) (user, string) {
	t.Helper()
	email := fmt.Sprintf("user%d-%d@example.com", time.Now().UnixNano(), userSeq.Add(1))
	var u user
	s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": email, "password": "password123", "name": "Test User",
	}}).expect(t, 201).decode(t, &u)
	return u, s.login(t, email, "password123")
}

func (s *testServer) login(t testing.TB, email, password string) string {
	t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	s.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{
		"email": email, "password": password,
	}}).expect(t, 200).decode(t, &tok)
	if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.ExpiresIn <= 0 {
		t.Fatalf("bad token response: %+v", tok)
	}
	return tok.AccessToken
}

var testAddress = map[string]string{"line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	within(t, 10*time.Second, what, cond)
}

// within polls cond until it holds or d passes.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// page is one page of a list endpoint.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// allPages follows next_cursor through the list at base, limit items a
// page, and returns every item in order. It fails the test when a page is
// longer than limit or the paging does not end.
func allPages[T any](tb testing.TB, s *testServer, token, base string, limit int) []T {
	tb.Helper()
	var all []T
	path := fmt.Sprintf("%s?limit=%d", base, limit)
	for pages := 0; path != ""; pages++ {
		if pages > 10_000 {
			tb.Fatalf("paging %s does not end", base)
		}
		var p page[T]
		s.do(tb, request{Method: "GET", Path: path, Token: token}).expect(tb, 200).decode(tb, &p)
		if len(p.Items) > limit {
			tb.Fatalf("%s: a page of %d items with limit %d", base, len(p.Items), limit)
		}
		all = append(all, p.Items...)
		path = ""
		if p.NextCursor != "" {
			path = fmt.Sprintf("%s?limit=%d&cursor=%s", base, limit, p.NextCursor)
		}
	}
	return all
}
