package wiring_test

import (
	"strings"
	"testing"
)

// TestNoMalformedRequestGetsA500 throws malformed input at every endpoint:
// each must answer with a 4xx problem, never a 5xx.
func TestNoMalformedRequestGetsA500(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	o := s.placeOrder(t, token, orderBody("G"), nil)

	bodies := []string{
		``, `null`, `[]`, `"str"`, `1e999`, `{`, `{"a":}`, `{"items":null}`, `{"items":[null]}`,
		`{"items":[{"quantity":1e30}]}`, `{"items":[{"unit_price_cents":-9223372036854775808}]}`,
		`{"email":{"nested":true}}`, `{"shipping_address":[]}`, "\xff\xfe", `{"name":"\ud800"}`,
		`{"items":[{"sku":"A","quantity":9223372036854775807,"unit_price_cents":9223372036854775807}],"currency":"EUR"}`,
		strings.Repeat(`[`, 10000),
	}
	paths := []struct{ method, path string }{
		{"POST", "/v1/users"}, {"POST", "/v1/auth/token"}, {"PUT", "/v1/users/me/address"},
		{"POST", "/v1/orders"}, {"POST", "/v1/orders/" + o.ID + "/cancel"},
	}
	for _, p := range paths {
		for _, b := range bodies {
			for _, ct := range []string{"application/json", "application/json; charset=utf-8", "text/plain", ""} {
				res := s.do(t, request{Method: p.method, Path: p.path, Token: token, Body: b,
					Header: map[string]string{"Content-Type": ct, "Idempotency-Key": "garbage-" + ct}})
				if res.Status >= 500 || (res.Status >= 400 && res.Header.Get("Content-Type") != "application/problem+json") {
					t.Errorf("%s %s with %q (%s): %d %s", p.method, p.path, b, ct, res.Status, res.Body)
				}
			}
		}
	}
	for _, path := range []string{
		"/v1/orders/%00", "/v1/orders/" + strings.Repeat("a", 5000), "/v1/orders?limit=99999999999999999999",
		"/v1/orders?cursor=" + strings.Repeat("A", 5000), "/v1/orders?limit=%", "/v1/notifications?cursor=djE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
		"/v1/orders/../users/me", "/v1//orders",
	} {
		res := s.do(t, request{Method: "GET", Path: path, Token: token})
		if res.Status >= 500 {
			t.Errorf("GET %s: %d %s", path, res.Status, res.Body)
		}
	}
}
