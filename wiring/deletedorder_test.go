package wiring_test

import "testing"

// TestPlaceOrderRefusesDeletedUsersToken: once orders applied a user's
// deletion, placing an order with the user's token is refused as an invalid
// token, whatever the request holds (POST /v1/orders checks the account in
// its own transaction, not with auth.Admit's read).
func TestPlaceOrderRefusesDeletedUsersToken(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	key := map[string]string{"Idempotency-Key": "before-deletion"}
	s.placeOrder(t, token, orderBody("A-1"), key)
	s.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token}).expect(t, 204)
	eventually(t, "orders to apply the deletion", func() bool {
		return s.do(t, request{Method: "GET", Path: "/v1/orders", Token: token}).Status == 401
	})

	requests := map[string]request{
		"a valid order":              {Body: orderBody("A-2")},
		"the earlier idempotent one": {Body: orderBody("A-1"), Header: key},
		"an invalid order":           {Body: map[string]any{"items": []any{}}},
		"a malformed body":           {Body: "not an object"},
		"an invalid key":             {Body: orderBody("A-3"), Header: map[string]string{"Idempotency-Key": "has space"}},
	}
	for name, r := range requests {
		t.Run(name, func(t *testing.T) {
			r.Method, r.Path, r.Token = "POST", "/v1/orders", token
			res := s.do(t, r)
			res.expectProblem(t, 401)
			if got := res.Header.Get("WWW-Authenticate"); got != `Bearer realm="api", error="invalid_token"` {
				t.Fatalf("WWW-Authenticate %q", got)
			}
		})
	}
}
