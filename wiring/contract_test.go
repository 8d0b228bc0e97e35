package wiring_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The tests of this file hold the server to its OpenAPI document where
// the two used to differ (issue 18): what the document forbids is
// refused, and the router answers for paths and methods before anyone is
// asked for a token.

func TestAWrongMethodOnAKnownPathIsA405WithAllowBeforeAuthentication(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	id := "0190a0b2-7c3e-7000-8000-000000000000"
	tests := []struct {
		method, path string
		allow        []string
	}{
		{"PATCH", "/v1/users/me", []string{"GET", "DELETE"}},
		{"POST", "/v1/users/me/address", []string{"PUT"}},
		{"DELETE", "/v1/orders", []string{"GET", "POST"}},
		{"PUT", "/v1/orders/" + id, []string{"GET"}},
		{"GET", "/v1/orders/" + id + "/cancel", []string{"POST"}},
		{"DELETE", "/v1/notifications", []string{"GET"}},
		{"GET", "/v1/users", []string{"POST"}},
	}
	for _, tc := range tests {
		for who, tok := range map[string]string{"without a token": "", "with a token": token, "with a bad token": "not.a.jwt"} {
			t.Run(tc.method+" "+tc.path+" "+who, func(t *testing.T) {
				res := s.do(t, request{Method: tc.method, Path: tc.path, Token: tok})
				res.expectProblem(t, 405)
				allow := strings.Split(res.Header.Get("Allow"), ", ")
				for _, m := range tc.allow {
					if !contains(allow, m) {
						t.Errorf("Allow %q does not list %s", res.Header.Get("Allow"), m)
					}
				}
				if contains(allow, tc.method) {
					t.Errorf("Allow %q lists the refused %s", res.Header.Get("Allow"), tc.method)
				}
				if res.Header.Get("WWW-Authenticate") != "" {
					t.Error("a 405 asks for authentication")
				}
			})
		}
	}
}

func TestOPTIONSOnAKnownPathListsItsMethods(t *testing.T) {
	s := startServer(t)
	// Not through s.do: the document lists no OPTIONS operations, and
	// says the router answers them.
	req, err := http.NewRequest("OPTIONS", s.URL+"/v1/orders", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 204 || !strings.Contains(res.Header.Get("Allow"), "POST") || !strings.Contains(res.Header.Get("Allow"), "GET") {
		t.Fatalf("OPTIONS /v1/orders: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestAnUnknownPathIsA404BeforeAuthentication(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	for _, path := range []string{
		"/v1/orders/x/y", "/v1/orders/0190a0b2-7c3e-7000-8000-000000000000/refund",
		"/v1/users/me/nothing", "/v1/notifications/x", "/v1/nothing",
	} {
		for who, tok := range map[string]string{"without a token": "", "with a token": token} {
			t.Run(path+" "+who, func(t *testing.T) {
				res := s.do(t, request{Method: "GET", Path: path, Token: tok})
				res.expectProblem(t, 404)
				if res.Header.Get("WWW-Authenticate") != "" {
					t.Error("a 404 asks for authentication")
				}
			})
		}
	}
}

func TestAnOrderLineNeedsAUnitPrice(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	for name, body := range map[string]string{
		"without unit_price_cents":   `{"items":[{"sku":"A","quantity":1}],"currency":"EUR"}`,
		"with unit_price_cents null": `{"items":[{"sku":"A","quantity":1,"unit_price_cents":null}],"currency":"EUR"}`,
	} {
		t.Run("a line "+name+" is a 400 naming it", func(t *testing.T) {
			s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: body}).
				expectProblem(t, 400, "items[0].unit_price_cents")
		})
	}
	t.Run("a unit price of 0 is a free item", func(t *testing.T) {
		o := s.placeOrder(t, token, `{"items":[{"sku":"A","quantity":3,"unit_price_cents":0}],"currency":"EUR","shipping_address":{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}}`, nil)
		if o.TotalCents != 0 || o.Items[0].UnitPriceCents != 0 {
			t.Fatalf("order %+v", o)
		}
	})
	if stored := allPages[order](t, s, token, "/v1/orders", 100); len(stored) != 1 {
		t.Fatalf("%d orders stored, want only the free one", len(stored))
	}
}

func TestNullIsRefusedWhereTheDocumentDoesNotAllowIt(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	// The account has an address, which a null shipping_address used to
	// stand for.
	s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: testAddress}).expect(t, 200)
	item := `{"sku":"A","quantity":1,"unit_price_cents":100}`
	tests := []struct {
		name, method, path, body string
		field                    string
	}{
		{"shipping_address null", "POST", "/v1/orders", `{"items":[` + item + `],"currency":"EUR","shipping_address":null}`, "shipping_address"},
		{"shipping_address.line2 null", "POST", "/v1/orders",
			`{"items":[` + item + `],"currency":"EUR","shipping_address":{"line1":"1 Main St","line2":null,"city":"Berlin","postal_code":"10115","country":"DE"}}`,
			"shipping_address.line2"},
		{"items null", "POST", "/v1/orders", `{"items":null,"currency":"EUR"}`, "items"},
		{"an address's line2 null", "PUT", "/v1/users/me/address",
			`{"line1":"1 Main St","line2":null,"city":"Berlin","postal_code":"10115","country":"DE"}`, "line2"},
		{"a sign-up's name null", "POST", "/v1/users", `{"email":"null@example.com","password":"password123","name":null}`, "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is a 400 naming it", func(t *testing.T) {
			s.do(t, request{Method: tc.method, Path: tc.path, Token: token, Body: tc.body}).expectProblem(t, 400, tc.field)
		})
	}
	t.Run("leaving shipping_address out still uses the account's address", func(t *testing.T) {
		var res response
		// orders learns the address from users' event: it may not have yet.
		eventually(t, "the order to ship to the account's address", func() bool {
			res = s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: `{"items":[` + item + `],"currency":"EUR"}`})
			return res.Status != 422
		})
		var o order
		res.expect(t, 201).decode(t, &o)
		if o.ShippingAddress["city"] != "Berlin" {
			t.Fatalf("shipping address %v", o.ShippingAddress)
		}
	})
}

func TestAnEmptyOrRepeatedIdempotencyKeyIsA400(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A"),
		Header: map[string]string{"Idempotency-Key": ""}}).expectProblem(t, 400, "Idempotency-Key")

	t.Run("two keys in one request are refused", func(t *testing.T) {
		body, _ := json.Marshal(orderBody("A"))
		req, err := http.NewRequest("POST", s.URL+"/v1/orders", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Add("Idempotency-Key", "k1")
		req.Header.Add("Idempotency-Key", "k2")
		res, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		out := response{Status: res.StatusCode, Header: res.Header, Body: raw}
		s.spec.check(t, req, out)
		out.expectProblem(t, 400, "Idempotency-Key")
	})
	if stored := allPages[order](t, s, token, "/v1/orders", 100); len(stored) != 0 {
		t.Fatalf("%d orders stored, want none", len(stored))
	}
}

func TestAWholeNumberWithAFractionIsAnInteger(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	o := s.placeOrder(t, token, `{"items":[{"sku":"A","quantity":2.0,"unit_price_cents":1.25e2}],"currency":"EUR",`+
		`"shipping_address":{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}}`, nil)
	if o.Items[0].Quantity != 2 || o.Items[0].UnitPriceCents != 125 || o.TotalCents != 250 {
		t.Fatalf("order %+v", o)
	}
	s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token,
		Body: `{"items":[{"sku":"A","quantity":2.5,"unit_price_cents":1}],"currency":"EUR"}`}).expectProblem(t, 400, "items.quantity")
}

func TestAReplayedOrderSaysSo(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	key := map[string]string{"Idempotency-Key": "replay-1"}
	first := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A"), Header: key}).expect(t, 201)
	if got := first.Header.Get("Idempotent-Replayed"); got != "" {
		t.Fatalf("the first request says Idempotent-Replayed: %q", got)
	}
	again := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A"), Header: key}).expect(t, 201)
	if got := again.Header.Get("Idempotent-Replayed"); got != "true" {
		t.Fatalf("a replay says Idempotent-Replayed: %q, want true", got)
	}
	if string(again.Body) != string(first.Body) || again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("a replay answered otherwise:\n%s %s\n%s %s", first.Header.Get("Location"), first.Body, again.Header.Get("Location"), again.Body)
	}
	other := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("B"), Header: key})
	other.expectProblem(t, 422)
	if other.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a refused reuse of the key says Idempotent-Replayed")
	}
}

func TestAPasswordIsEightCharactersToSeventyTwoBytes(t *testing.T) {
	s := startServer(t)
	register := func(email, password string) response {
		return s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{"email": email, "password": password, "name": "P"}})
	}
	// "пароль" is six characters in twelve bytes: under the document's
	// minLength of 8, which counts characters.
	register("short@example.com", "пароль").expectProblem(t, 400, "password")
	register("eight@example.com", "парольчк").expect(t, 201)            // 8 characters, 16 bytes
	register("max@example.com", strings.Repeat("ü", 36)).expect(t, 201) // 72 bytes
	register("over@example.com", strings.Repeat("ü", 37)).expectProblem(t, 400, "password")
}

func TestTheOpenAPIDocumentStatesTheRules(t *testing.T) {
	s := startServer(t)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]json.RawMessage `json:"parameters"`
			Responses  map[string]json.RawMessage `json:"responses"`
			Schemas    map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).decode(t, &doc)
	for where, want := range map[string][]string{
		string(doc.Paths["/v1/orders"]["post"]):              {`"Idempotent-Replayed"`, `"pattern":"^[!-~]{1,255}$"`},
		string(doc.Components.Parameters["orders.id"]):       {`"format":"uuid"`},
		string(doc.Components.Responses["MethodNotAllowed"]): {`"Allow"`},
		string(doc.Components.Schemas["orders.Item"]):        {`"pattern"`},
		string(doc.Components.Schemas["orders.PlaceOrder"]):  {`"maxItems":100`, `"pattern"`, `ISO 4217`},
		string(doc.Components.Schemas["Address"]):            {`"pattern"`, `ISO 3166-1`},
		string(doc.Paths["/v1/users"]["post"]):               {`"maxLength":72`, `bytes`, `"pattern"`},
	} {
		for _, w := range want {
			if !strings.Contains(where, w) {
				t.Errorf("%.80s… does not state %s", where, w)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
