package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/modmono/platform/secrets/secretstest"
)

// runtimeAPI serves the documented Lambda Runtime API on loopback, as the
// Lambda service does for a function's process: /next hands out the queued
// invocations one at a time, /response and /error take their outcome.
type runtimeAPI struct {
	addr    string
	pending chan invocation

	mu       sync.Mutex
	results  map[string]result
	firstGet time.Time
	firstRes time.Time
	done     chan string
}

type invocation struct {
	id    string
	event []byte
	trace string // Lambda-Runtime-Trace-Id; "" for the default below
}

type result struct {
	isError bool
	body    []byte
}

func newRuntimeAPI(t testing.TB) *runtimeAPI {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &runtimeAPI{addr: ln.Addr().String(), pending: make(chan invocation, 16),
		results: map[string]result{}, done: make(chan string, 16)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", r.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", r.outcome(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", r.outcome(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		t.Errorf("the function failed to initialise: %s", body)
		w.WriteHeader(http.StatusAccepted)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *runtimeAPI) next(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	if r.firstGet.IsZero() {
		r.firstGet = time.Now()
	}
	r.mu.Unlock()
	select {
	case inv := <-r.pending:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(30*time.Second).UnixMilli()))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:modmono-test")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
		if inv.trace != "" {
			h.Set("Lambda-Runtime-Trace-Id", inv.trace)
		}
		w.Write(inv.event)
	case <-req.Context().Done():
	}
}

func (r *runtimeAPI) outcome(isError bool) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		id := req.PathValue("id")
		r.mu.Lock()
		if r.firstRes.IsZero() {
			r.firstRes = time.Now()
		}
		r.results[id] = result{isError: isError, body: body}
		r.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		r.done <- id
	}
}

// invoke queues event and waits for the function's outcome.
func (r *runtimeAPI) invoke(t testing.TB, id string, event []byte) result {
	t.Helper()
	return r.invokeTraced(t, id, event, "")
}

// invokeTraced is invoke with the X-Ray trace header the runtime passes.
func (r *runtimeAPI) invokeTraced(t testing.TB, id string, event []byte, trace string) result {
	t.Helper()
	r.pending <- invocation{id: id, event: event, trace: trace}
	for {
		select {
		case got := <-r.done:
			if got != id {
				continue
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.results[id]
		case <-time.After(20 * time.Second):
			t.Fatalf("invocation %s got no outcome", id)
		}
	}
}

// httpV2Event is an API Gateway HTTP API (payload v2) request.
func httpV2Event(method, path, token, body string) []byte {
	headers := map[string]string{"content-type": "application/json"}
	if token != "" {
		headers["authorization"] = "Bearer " + token
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
		"headers": headers,
		"requestContext": map[string]any{
			"accountId": "123456789012", "apiId": "api", "domainName": "api.example.com", "requestId": "req",
			"stage": "$default", "http": map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1"},
		},
		"body": body, "isBase64Encoded": false,
	}
	b, _ := json.Marshal(ev)
	return b
}

func TestLambdaProcessServesTheRuntimeAPI(t *testing.T) {
	bin := buildBinary(t)
	api := newRuntimeAPI(t)
	p := &process{bin: bin, dataDir: t.TempDir(), port: freePort(t), t: t,
		env: []string{"AWS_LAMBDA_RUNTIME_API=" + api.addr, "APP_MODULE=users", "AWS_LAMBDA_FUNCTION_NAME=modmono-users"}}
	p.startNoWait()
	defer p.kill()

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("function log:\n%s", p.log.String())
		}
	})
	res := api.invoke(t, "inv-1", httpV2Event("POST", "/v1/users", "", `{"email":"lambda@example.com","password":"password123","name":"L"}`))
	var out struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if res.isError || json.Unmarshal(res.body, &out) != nil || out.StatusCode != 201 || !strings.Contains(out.Body, "lambda@example.com") {
		t.Fatalf("register through Lambda: error=%v %s", res.isError, res.body)
	}
	if out.Headers["X-Request-Id"] == "" {
		t.Fatalf("no X-Request-Id: %v", out.Headers)
	}

	res = api.invoke(t, "inv-2", httpV2Event("POST", "/v1/users", "", `{"email":"nope"}`))
	if json.Unmarshal(res.body, &out) != nil || out.StatusCode != 400 || out.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("a bad request through Lambda: %s", res.body)
	}

	res = api.invoke(t, "inv-3", []byte(`{"something":"else"}`))
	if !res.isError || !strings.Contains(string(res.body), "unsupported event") {
		t.Fatalf("an unsupported event was not reported through /error: %s", res.body)
	}
	res = api.invoke(t, "inv-4", httpV2Event("GET", "/v1/orders", "", ""))
	if json.Unmarshal(res.body, &out) != nil || out.StatusCode != 404 {
		t.Fatalf("the users function serves another module's route: %s", res.body)
	}
}

// TestLambdaProcessReadsItsSecretsOnceAtColdStart runs the function as the
// Lambda service does, its JWT secret named by JWT_SECRET_SSM_PARAMETER and
// kept in a fake SSM: the process reads it at its start and never again,
// and a new process (the next cold start) reads it once more.
func TestLambdaProcessReadsItsSecretsOnceAtColdStart(t *testing.T) {
	const secret = "jwt-secret-kept-in-ssm-for-the-process-0001"
	bin := buildBinary(t)
	store := secretstest.NewAWS(t)
	store.PutParameter("/modmono/test/jwt-secret", secret)
	dataDir := t.TempDir()
	coldStart := func() (*runtimeAPI, *process) {
		api := newRuntimeAPI(t)
		env := []string{"AWS_LAMBDA_RUNTIME_API=" + api.addr, "APP_MODULE=users", "AWS_LAMBDA_FUNCTION_NAME=modmono-users",
			"JWT_SECRET=", "JWT_SECRET_SSM_PARAMETER=/modmono/test/jwt-secret"}
		for k, v := range store.Env() {
			env = append(env, k+"="+v)
		}
		p := &process{bin: bin, dataDir: dataDir, port: freePort(t), t: t, env: env}
		p.startNoWait()
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("function log:\n%s", p.log.String())
			}
		})
		return api, p
	}
	var out struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	invoke := func(api *runtimeAPI, id string, event []byte, want int) {
		t.Helper()
		res := api.invoke(t, id, event)
		if res.isError || json.Unmarshal(res.body, &out) != nil || out.StatusCode != want {
			t.Fatalf("invocation %s: error=%v %s", id, res.isError, res.body)
		}
	}

	api, p := coldStart()
	invoke(api, "inv-1", httpV2Event("POST", "/v1/users", "", `{"email":"ssm@example.com","password":"password123","name":"S"}`), 201)
	invoke(api, "inv-2", httpV2Event("POST", "/v1/auth/token", "", `{"email":"ssm@example.com","password":"password123"}`), 200)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(out.Body), &tok)
	if _, err := jwt.Parse(tok.AccessToken, func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Fatalf("the token is not signed with the secret kept in SSM: %v", err)
	}
	invoke(api, "inv-3", httpV2Event("GET", "/v1/users/me", tok.AccessToken, ""), 200)
	if n := store.Reads("/modmono/test/jwt-secret"); n != 1 {
		t.Fatalf("one execution environment read the parameter %d times, want once", n)
	}
	p.kill()
	if strings.Contains(p.log.String(), secret) {
		t.Fatal("the secret is in the log")
	}

	api, p = coldStart()
	defer p.kill()
	invoke(api, "inv-4", httpV2Event("GET", "/v1/users/me", tok.AccessToken, ""), 200)
	if n := store.Reads("/modmono/test/jwt-secret"); n != 2 {
		t.Fatalf("two cold starts read the parameter %d times, want twice", n)
	}
}
