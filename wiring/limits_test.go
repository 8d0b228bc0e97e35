package wiring_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// badLogin is a login that bcrypt must check: expensive, and refused.
func badLogin(header map[string]string) request {
	return request{Method: "POST", Path: "/v1/auth/token", Header: header,
		Body: map[string]string{"email": "nobody@example.com", "password": "wrong password"}}
}

func TestSignUpAndLoginAreRateLimitedPerClient(t *testing.T) {
	s := startServer(t, "AUTH_RATE_LIMIT", "0.5", "AUTH_RATE_LIMIT_BURST", "3")
	for range 3 {
		s.do(t, badLogin(nil)).expectProblem(t, 401)
	}
	res := s.do(t, badLogin(nil))
	res.expectProblem(t, 429)
	if got := res.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2 (one token every 2 s)", got)
	}
	t.Run("sign-up shares the limit", func(t *testing.T) {
		s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
			"email": "new@example.com", "password": "password123", "name": "New"}}).expectProblem(t, 429)
	})
	t.Run("a client cannot pose as another with X-Forwarded-For", func(t *testing.T) {
		s.do(t, badLogin(map[string]string{"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.8"})).expectProblem(t, 429)
	})
	t.Run("other endpoints are not under the stricter limit", func(t *testing.T) {
		s.do(t, request{Method: "GET", Path: "/v1/users/me"}).expectProblem(t, 401)
	})
}

func TestBehindATrustedProxyEachClientHasItsOwnBucket(t *testing.T) {
	limit := []string{"AUTH_RATE_LIMIT", "0.5", "AUTH_RATE_LIMIT_BURST", "1", "CLIENT_IP_HEADER", "X-Forwarded-For"}
	from := func(ip string) request { return badLogin(map[string]string{"X-Forwarded-For": ip}) }

	t.Run("a proxy named in TRUSTED_PROXIES is believed", func(t *testing.T) {
		s := startServer(t, append(limit, "TRUSTED_PROXIES", "127.0.0.1")...)
		s.do(t, from("203.0.113.1")).expectProblem(t, 401)
		s.do(t, from("203.0.113.1")).expectProblem(t, 429)
		s.do(t, from("203.0.113.2")).expectProblem(t, 401)
	})
	t.Run("a peer outside TRUSTED_PROXIES is the client itself", func(t *testing.T) {
		s := startServer(t, append(limit, "TRUSTED_PROXIES", "10.0.0.0/8")...)
		s.do(t, from("203.0.113.1")).expectProblem(t, 401)
		s.do(t, from("203.0.113.2")).expectProblem(t, 429)
	})
}

func TestTheGeneralLimitCoversEveryRouteButTheHealthChecks(t *testing.T) {
	s := startServer(t, "RATE_LIMIT", "0.2", "RATE_LIMIT_BURST", "3")
	for range 2 { // the third token went to startServer's GET /openapi.json
		s.do(t, request{Method: "GET", Path: "/v1/orders"}).expectProblem(t, 401)
	}
	res := s.do(t, request{Method: "GET", Path: "/v1/notifications"})
	res.expectProblem(t, 429)
	if got := res.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After %q, want 5", got)
	}
	for range 5 {
		s.do(t, request{Method: "GET", Path: "/readyz"}).expect(t, 200)
		s.do(t, request{Method: "GET", Path: "/healthz"}).expect(t, 200)
	}
}

func TestAClientThatSendsHeadersTooSlowlyIsCutOff(t *testing.T) {
	s := startServer(t, "HTTP_READ_HEADER_TIMEOUT", "200ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: test\r\n")); err != nil { // and never the blank line
		t.Fatal(err)
	}
	start := time.Now()
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = bufio.NewReader(conn).ReadByte()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server kept a half-sent request open for 10 s")
	}
	if err == nil {
		t.Log("the server answered before closing") // some versions write 408 first
	}
	if waited := time.Since(start); waited > 3*time.Second { // the default would wait 5 s
		t.Errorf("the connection was closed after %s", waited)
	}
}

func TestOversizedHeadersAreRefused(t *testing.T) {
	s := startServer(t, "HTTP_MAX_HEADER_BYTES", "1024")
	padding := map[string]string{"X-Padding": strings.Repeat("a", 2<<10)}

	t.Run("on a new connection", func(t *testing.T) {
		req, err := http.NewRequest("GET", s.URL+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		// net/http itself allows 4 KiB of slack above MaxHeaderBytes.
		req.Header.Set("X-Padding", strings.Repeat("a", 8<<10))
		res, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("status %d, want 431", res.StatusCode)
		}
	})
	t.Run("on a kept-alive connection, within net/http's slack", func(t *testing.T) {
		s.do(t, request{Method: "GET", Path: "/healthz"}).expect(t, 200) // opens the connection
		s.do(t, request{Method: "GET", Path: "/healthz", Header: padding}).expectProblem(t, 431)
		s.do(t, request{Method: "GET", Path: "/v1/orders", Header: padding}).expectProblem(t, 431)
	})
}

func TestTheNumberOfItemsPerOrderIsConfigurable(t *testing.T) {
	s := startServer(t, "ORDER_MAX_ITEMS", "2")
	_, token := s.signUp(t)
	item := map[string]any{"sku": "A", "quantity": 1, "unit_price_cents": 100}
	body := func(n int) map[string]any {
		items := make([]any, n)
		for i := range items {
			items[i] = item
		}
		return map[string]any{"items": items, "currency": "EUR", "shipping_address": testAddress}
	}
	s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: body(2)}).expect(t, 201)
	p := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: body(3)}).expectProblem(t, 400, "items")
	if !strings.Contains(p.Errors[0].Detail, "at most 2") {
		t.Errorf("detail %q, want it to give the limit", p.Errors[0].Detail)
	}
	t.Run("the OpenAPI document states the limit", func(t *testing.T) {
		var doc struct {
			Components struct {
				Schemas map[string]struct {
					Properties map[string]struct {
						MaxItems *int `json:"maxItems"`
					} `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).decode(t, &doc)
		if got := doc.Components.Schemas["orders.PlaceOrder"].Properties["items"].MaxItems; got == nil || *got != 2 {
			t.Fatalf("orders.PlaceOrder items maxItems %v, want 2", got)
		}
	})
}
