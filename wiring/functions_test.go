package wiring_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

// lambdaFunctions is every module wired alone, as three Lambda functions
// sharing a data directory, driven through their Lambda handlers.
type lambdaFunctions struct {
	dataDir  string
	handlers map[string]*lambdaFn

	mu    sync.Mutex
	specs map[string]*spec
}

type lambdaFn struct {
	fn      *wiring.Function
	handler interface {
		Invoke(ctx context.Context, payload []byte) ([]byte, error)
	}
}

func startFunctions(t testing.TB, env ...string) *lambdaFunctions {
	t.Helper()
	dir := t.TempDir()
	fs := &lambdaFunctions{dataDir: dir, handlers: map[string]*lambdaFn{}, specs: map[string]*spec{}}
	for _, m := range wiring.Modules {
		cfg := testConfig(t, dir, append([]string{"APP_MODE", "lambda", "APP_MODULE", m}, env...)...)
		logger := logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON)
		f, cleanup, err := wiring.InitializeFunction(cfg, logger, wiring.ModuleName(m))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cleanup)
		fs.handlers[m] = &lambdaFn{fn: f, handler: wiring.LambdaHandler(f, logger)}
	}
	return fs
}

// moduleOf routes a path to the module whose function serves it, as the
// API Gateway routes in serverless.yml do.
func moduleOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/v1/orders"):
		return "orders"
	case strings.HasPrefix(path, "/v1/notifications"):
		return "notifications"
	}
	return "users"
}

// do sends r to the right function as an API Gateway HTTP API (v2) event,
// and checks the response against that function's OpenAPI document.
func (fs *lambdaFunctions) do(t testing.TB, r request) response {
	t.Helper()
	module := moduleOf(strings.SplitN(r.Path, "?", 2)[0])
	res := fs.invoke(t, module, r)
	req, err := http.NewRequest(r.Method, "http://function"+r.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	fs.spec(t, module).check(t, req, res)
	return res
}

// spec is the OpenAPI document module's function serves, loaded once.
func (fs *lambdaFunctions) spec(t testing.TB, module string) *spec {
	t.Helper()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.specs[module] == nil {
		doc := fs.invoke(t, module, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200)
		fs.specs[module] = newSpec(t, doc.Body)
	}
	return fs.specs[module]
}

// invoke sends r to module's function as an API Gateway HTTP API (v2) event.
func (fs *lambdaFunctions) invoke(t testing.TB, module string, r request) response {
	t.Helper()
	return fs.invokeWith(context.Background(), t, module, r)
}

// invokeWith is invoke with the invocation's context, e.g. one carrying
// the trace header the Lambda runtime passes.
func (fs *lambdaFunctions) invokeWith(ctx context.Context, t testing.TB, module string, r request) response {
	t.Helper()
	path, query, _ := strings.Cut(r.Path, "?")
	headers := map[string]string{}
	var body string
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = b
	default:
		raw, _ := json.Marshal(b)
		body = string(raw)
	}
	if r.Body != nil {
		headers["content-type"] = "application/json"
	}
	if r.Token != "" {
		headers["authorization"] = "Bearer " + r.Token
	}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = v
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query, "headers": headers,
		"requestContext": map[string]any{"http": map[string]any{"method": r.Method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
			"requestId": "r", "stage": "$default", "domainName": "api.example.com"},
		"body": base64.StdEncoding.EncodeToString([]byte(body)), "isBase64Encoded": true,
	}
	payload, _ := json.Marshal(ev)
	out, err := fs.handlers[module].handler.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("invoke %s %s: %v", r.Method, r.Path, err)
	}
	var res struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	raw := []byte(res.Body)
	if res.IsBase64Encoded {
		raw, _ = base64.StdEncoding.DecodeString(res.Body)
	}
	h := http.Header{}
	for k, v := range res.Headers {
		h.Set(k, v)
	}
	return response{Status: res.StatusCode, Header: h, Body: raw}
}

type apiClient interface {
	do(t testing.TB, r request) response
}

// apiScenario is the HTTP part of the cross-module story, with its error
// cases: the same assertions run against the server and the functions.
func apiScenario(t *testing.T, c apiClient) {
	reg := map[string]string{"email": "parity@example.com", "password": "password123", "name": "Parity"}
	var u user
	c.do(t, request{Method: "POST", Path: "/v1/users", Body: reg}).expect(t, 201).decode(t, &u)
	c.do(t, request{Method: "POST", Path: "/v1/users", Body: reg}).expectProblem(t, 409)
	c.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{"email": "x"}}).expectProblem(t, 400, "email", "password", "name")
	c.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": reg["email"], "password": "wrong-password"}}).expectProblem(t, 401)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	c.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": reg["email"], "password": reg["password"]}}).expect(t, 200).decode(t, &tok)
	token := tok.AccessToken

	c.do(t, request{Method: "GET", Path: "/v1/users/me"}).expectProblem(t, 401)
	var me user
	c.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: testAddress}).expect(t, 200).decode(t, &me)
	if me.ID != u.ID || me.Address == nil || me.Address.Country != "DE" {
		t.Fatalf("address: %+v", me)
	}

	key := map[string]string{"Idempotency-Key": "parity-1"}
	first := c.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("P"), Header: key}).expect(t, 201)
	again := c.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("P"), Header: key}).expect(t, 201)
	if string(first.Body) != string(again.Body) {
		t.Fatal("idempotent retry differs")
	}
	c.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("Q"), Header: key}).expectProblem(t, 422)
	var o order
	first.decode(t, &o)
	if o.UserID != u.ID || o.TotalCents != 2599 {
		t.Fatalf("order %+v", o)
	}
	c.do(t, request{Method: "GET", Path: "/v1/orders/" + o.ID, Token: token}).expect(t, 200)
	c.do(t, request{Method: "GET", Path: "/v1/orders/not-a-uuid", Token: token}).expectProblem(t, 400, "id")
	var list page[order]
	c.do(t, request{Method: "GET", Path: "/v1/orders?limit=1", Token: token}).expect(t, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != o.ID {
		t.Fatalf("list %+v", list)
	}
	c.do(t, request{Method: "GET", Path: "/v1/orders?limit=0", Token: token}).expectProblem(t, 400, "limit")
	c.do(t, request{Method: "POST", Path: "/v1/orders/" + o.ID + "/cancel", Token: token}).expect(t, 200)
	c.do(t, request{Method: "POST", Path: "/v1/orders/" + o.ID + "/cancel", Token: token}).expectProblem(t, 409)
	c.do(t, request{Method: "GET", Path: "/v1/notifications", Token: token}).expect(t, 200)
	c.do(t, request{Method: "PATCH", Path: "/v1/users"}).expectProblem(t, 405)
	c.do(t, request{Method: "GET", Path: "/v1/users/nothing"}).expectProblem(t, 404)
	c.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token}).expect(t, 204)
	// users applies the deletion at once; orders and notifications on the
	// UserDeleted event, which these functions are not sent
	// (TestADeletedUsersTokenIsRefusedOnEveryAuthenticatedRoute covers them).
	c.do(t, request{Method: "GET", Path: "/v1/users/me", Token: token}).expectProblem(t, 401)
	c.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: testAddress}).expectProblem(t, 401)
}

func TestTheAPIBehavesTheSameInEveryMode(t *testing.T) {
	t.Run("server", func(t *testing.T) { apiScenario(t, startServer(t)) })
	t.Run("lambda, API Gateway v2", func(t *testing.T) { apiScenario(t, startFunctions(t)) })
}

// fixture loads one of the event files aws-lambda-go ships in events/testdata.
func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatalf("locate aws-lambda-go: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "events", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// echoRoute is a route added in the test to show what a request looked
// like once it reached Echo, and to answer with cookies and repeated headers.
func echoRoute(e *echo.Echo) {
	e.Any("/test/echo", func(c echo.Context) error {
		req := c.Request()
		body := make([]byte, req.ContentLength)
		if req.ContentLength > 0 {
			_, _ = req.Body.Read(body)
		}
		var cookies []string
		for _, ck := range req.Cookies() {
			cookies = append(cookies, ck.Name+"="+ck.Value)
		}
		c.SetCookie(&http.Cookie{Name: "a", Value: "1"})
		c.SetCookie(&http.Cookie{Name: "b", Value: "2"})
		c.Response().Header().Add("X-Multi", "one")
		c.Response().Header().Add("X-Multi", "two")
		return c.JSON(http.StatusTeapot, map[string]any{
			"method": req.Method, "path": req.URL.Path, "query": req.URL.Query(), "header1": req.Header.Values("Header1"),
			"cookies": cookies, "body": string(body),
		})
	})
}

func invokeFixture(t *testing.T, fs *lambdaFunctions, ev map[string]any) map[string]any {
	t.Helper()
	payload, _ := json.Marshal(ev)
	out, err := fs.handlers["users"].handler.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestLambdaHTTPEventsRoundTrip(t *testing.T) {
	fs := startFunctions(t)
	echoRoute(fs.handlers["users"].fn.Echo)

	t.Run("function URL: query, cookies, headers and body in; status, cookies and headers out", func(t *testing.T) {
		ev := fixture(t, "lambda-urls-request.json")
		ev["rawPath"] = "/test/echo"
		ev["requestContext"].(map[string]any)["http"].(map[string]any)["path"] = "/test/echo"
		res := invokeFixture(t, fs, ev)
		if res["statusCode"].(float64) != 418 {
			t.Fatalf("response %v", res)
		}
		var got map[string]any
		_ = json.Unmarshal([]byte(res["body"].(string)), &got)
		if got["method"] != "POST" || got["body"] != "Hello from client!" ||
			!strings.Contains(toJSON(got["query"]), `"parameter1":["value1","value2"]`) ||
			!strings.Contains(toJSON(got["cookies"]), "cookie1") {
			t.Fatalf("request as Echo saw it: %v", got)
		}
		if cookies := toJSON(res["cookies"]); !strings.Contains(cookies, "a=1") || !strings.Contains(cookies, "b=2") {
			t.Fatalf("response cookies %v", res["cookies"])
		}
	})
	t.Run("API Gateway REST (v1): base64 body and multi-value headers", func(t *testing.T) {
		ev := fixture(t, "apigw-request.json")
		ev["path"], ev["httpMethod"] = "/test/echo", "PUT"
		ev["body"], ev["isBase64Encoded"] = base64.StdEncoding.EncodeToString([]byte("binary\x00body")), true
		res := invokeFixture(t, fs, ev)
		var got map[string]any
		_ = json.Unmarshal([]byte(res["body"].(string)), &got)
		if res["statusCode"].(float64) != 418 || got["method"] != "PUT" || got["body"] != "binary\x00body" {
			t.Fatalf("response %v / %v", res, got)
		}
		if multi := toJSON(res["multiValueHeaders"]); !strings.Contains(multi, `"X-Multi":["one","two"]`) {
			t.Fatalf("multi-value headers %s", multi)
		}
	})
	t.Run("ALB target with multi-value headers", func(t *testing.T) {
		ev := fixture(t, "alb-lambda-target-request-multivalue-headers.json")
		ev["path"] = "/test/echo"
		res := invokeFixture(t, fs, ev)
		if res["statusCode"].(float64) != 418 || !strings.Contains(toJSON(res["multiValueHeaders"]), `"X-Multi":["one","two"]`) {
			t.Fatalf("response %v", res)
		}
	})
	t.Run("API Gateway HTTP API (v2) fixture reaches the real routes", func(t *testing.T) {
		ev := fixture(t, "apigw-v2-request-no-authorizer.json")
		ev["rawPath"], ev["rawQueryString"], ev["body"], ev["isBase64Encoded"] = "/v1/users/me", "", "", false
		ev["requestContext"].(map[string]any)["http"].(map[string]any)["method"] = "GET"
		res := invokeFixture(t, fs, ev)
		if res["statusCode"].(float64) != 401 || !strings.Contains(res["body"].(string), `"status":401`) {
			t.Fatalf("response %v", res)
		}
	})
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestAFunctionOpensOnlyItsModule(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir, "APP_MODE", "lambda", "APP_MODULE", "orders")
	f, cleanup, err := wiring.InitializeFunction(cfg, logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON), "orders")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".db") && e.Name() != "orders.db" {
			t.Errorf("the orders function opened %s", e.Name())
		}
	}
	for _, r := range f.Echo.Routes() {
		if strings.HasPrefix(r.Path, "/v1/") && !strings.HasPrefix(r.Path, "/v1/orders") {
			t.Errorf("the orders function serves %s %s", r.Method, r.Path)
		}
	}
}
