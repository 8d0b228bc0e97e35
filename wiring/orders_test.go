package wiring_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

type order struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Status string `json:"status"`
	Items  []struct {
		SKU            string `json:"sku"`
		Quantity       int64  `json:"quantity"`
		UnitPriceCents int64  `json:"unit_price_cents"`
	} `json:"items"`
	TotalCents      int64             `json:"total_cents"`
	Currency        string            `json:"currency"`
	ShippingAddress map[string]string `json:"shipping_address"`
	CreatedAt       time.Time         `json:"created_at"`
}

func orderBody(sku string) map[string]any {
	return map[string]any{
		"items": []map[string]any{
			{"sku": sku, "quantity": 2, "unit_price_cents": 1250},
			{"sku": "B-2", "quantity": 1, "unit_price_cents": 99},
		},
		"currency":         "eur",
		"shipping_address": testAddress,
	}
}

func (s *testServer) placeOrder(t *testing.T, token string, body any, header map[string]string) order {
	t.Helper()
	var o order
	s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: body, Header: header}).expect(t, 201).decode(t, &o)
	return o
}

func TestPlaceOrder(t *testing.T) {
	s := startServer(t)
	u, token := s.signUp(t)

	res := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A-1")}).expect(t, 201)
	var o order
	res.decode(t, &o)
	if o.ID == "" || o.UserID != u.ID || o.Status != "placed" || o.Currency != "EUR" || len(o.Items) != 2 || o.CreatedAt.IsZero() {
		t.Fatalf("unexpected order: %s", res.Body)
	}
	if o.TotalCents != 2*1250+99 {
		t.Fatalf("total %d, want %d", o.TotalCents, 2*1250+99)
	}
	if o.ShippingAddress["city"] != "Berlin" {
		t.Fatalf("shipping address %v", o.ShippingAddress)
	}
	if loc := res.Header.Get("Location"); loc != "/v1/orders/"+o.ID {
		t.Fatalf("Location %q", loc)
	}
	var got order
	s.do(t, request{Method: "GET", Path: "/v1/orders/" + o.ID, Token: token}).expect(t, 200).decode(t, &got)
	if got.ID != o.ID || got.TotalCents != o.TotalCents {
		t.Fatalf("GET returned %+v", got)
	}
}

func TestPlaceOrderRejectsBadInput(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	item := func(sku string, q, p any) map[string]any {
		return map[string]any{"sku": sku, "quantity": q, "unit_price_cents": p}
	}
	tooMany := make([]map[string]any, 101)
	for i := range tooMany {
		tooMany[i] = item("S", 1, 1)
	}
	tests := []struct {
		name   string
		body   any
		status int
		fields []string
	}{
		{"no items", map[string]any{"items": []any{}, "currency": "EUR", "shipping_address": testAddress}, 400, []string{"items"}},
		{"over 100 items", map[string]any{"items": tooMany, "currency": "EUR", "shipping_address": testAddress}, 400, []string{"items"}},
		{"bad item fields", map[string]any{"items": []any{item("", 0, -1)}, "currency": "EUR", "shipping_address": testAddress},
			400, []string{"items[0].sku", "items[0].quantity", "items[0].unit_price_cents"}},
		{"a bad currency", map[string]any{"items": []any{item("A", 1, 1)}, "currency": "EU1", "shipping_address": testAddress}, 400, []string{"currency"}},
		{"a bad shipping address", map[string]any{"items": []any{item("A", 1, 1)}, "currency": "EUR",
			"shipping_address": map[string]string{"line1": "x", "city": "", "postal_code": "1", "country": "ZZ"}},
			400, []string{"shipping_address.city", "shipping_address.country"}},
		{"a fractional quantity", `{"items":[{"sku":"A","quantity":1.5,"unit_price_cents":1}],"currency":"EUR"}`, 400, []string{"items.quantity"}},
		{"an unknown item field", `{"items":[{"sku":"A","quantity":1,"unit_price_cents":1,"discount":5}],"currency":"EUR"}`, 400, []string{"discount"}},
		{"no shipping address anywhere", map[string]any{"items": []any{item("A", 1, 1)}, "currency": "EUR"}, 422, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: tc.body}).expectProblem(t, tc.status, tc.fields...)
		})
	}
	t.Run("a malformed Idempotency-Key", func(t *testing.T) {
		s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A"),
			Header: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}}).expectProblem(t, 400, "Idempotency-Key")
	})
	t.Run("nothing was stored", func(t *testing.T) {
		if stored := allPages[order](t, s, token, "/v1/orders", 100); len(stored) != 0 {
			t.Fatalf("rejected requests stored %d orders", len(stored))
		}
	})
}

func TestOrdersBelongToTheirOwner(t *testing.T) {
	s := startServer(t)
	_, alice := s.signUp(t)
	_, bob := s.signUp(t)
	o := s.placeOrder(t, alice, orderBody("A"), nil)

	s.do(t, request{Method: "GET", Path: "/v1/orders/" + o.ID, Token: bob}).expectProblem(t, 404)
	s.do(t, request{Method: "POST", Path: "/v1/orders/" + o.ID + "/cancel", Token: bob}).expectProblem(t, 404)
	if seen := allPages[order](t, s, bob, "/v1/orders", 100); len(seen) != 0 {
		t.Fatalf("bob sees %d orders", len(seen))
	}
	var still order
	s.do(t, request{Method: "GET", Path: "/v1/orders/" + o.ID, Token: alice}).expect(t, 200).decode(t, &still)
	if still.Status != "placed" {
		t.Fatalf("bob's cancel changed alice's order: %s", still.Status)
	}
	t.Run("an id that is no UUID", func(t *testing.T) {
		s.do(t, request{Method: "GET", Path: "/v1/orders/not-a-uuid", Token: alice}).expectProblem(t, 400, "id")
		s.do(t, request{Method: "POST", Path: "/v1/orders/1/cancel", Token: alice}).expectProblem(t, 400, "id")
	})
	t.Run("an unknown id", func(t *testing.T) {
		s.do(t, request{Method: "GET", Path: "/v1/orders/00000000-0000-4000-8000-000000000000", Token: alice}).expectProblem(t, 404)
	})
}

func TestCancelOrder(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	o := s.placeOrder(t, token, orderBody("A"), nil)

	var c order
	s.do(t, request{Method: "POST", Path: "/v1/orders/" + o.ID + "/cancel", Token: token}).expect(t, 200).decode(t, &c)
	if c.ID != o.ID || c.Status != "cancelled" {
		t.Fatalf("cancel returned %+v", c)
	}
	s.do(t, request{Method: "POST", Path: "/v1/orders/" + o.ID + "/cancel", Token: token}).expectProblem(t, 409)
}

func TestListOrdersPaginatesNewestFirst(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	var placed []string
	for i := 0; i < 7; i++ {
		placed = append(placed, s.placeOrder(t, token, orderBody(fmt.Sprint("SKU-", i)), nil).ID)
	}

	var seen []string
	for _, o := range allPages[order](t, s, token, "/v1/orders", 3) {
		seen = append(seen, o.ID)
	}
	if len(seen) != len(placed) {
		t.Fatalf("saw %d orders, placed %d", len(seen), len(placed))
	}
	for i := range placed {
		if seen[i] != placed[len(placed)-1-i] {
			t.Fatalf("order %d is %s, want %s (newest first)", i, seen[i], placed[len(placed)-1-i])
		}
	}

	var first page[order]
	s.do(t, request{Method: "GET", Path: "/v1/orders", Token: token}).expect(t, 200).decode(t, &first)
	if len(first.Items) != 7 || first.NextCursor != "" {
		t.Fatalf("default page: %d items, cursor %q", len(first.Items), first.NextCursor)
	}

	for _, q := range []string{"limit=0", "limit=101", "limit=x", "limit=-1"} {
		t.Run("rejects "+q, func(t *testing.T) {
			s.do(t, request{Method: "GET", Path: "/v1/orders?" + q, Token: token}).expectProblem(t, 400, "limit")
		})
	}
	for _, c := range []string{"garbage", "djE6LTE", "%ZZ", "djE6YWJj"} {
		t.Run("rejects cursor "+c, func(t *testing.T) {
			res := s.do(t, request{Method: "GET", Path: "/v1/orders?cursor=" + c, Token: token})
			if res.Status != 400 {
				t.Fatalf("status %d for cursor %q: %s", res.Status, c, res.Body)
			}
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	key := map[string]string{"Idempotency-Key": "order-42"}

	first := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A"), Header: key}).expect(t, 201)
	again := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A"), Header: key}).expect(t, 201)
	if string(first.Body) != string(again.Body) {
		t.Fatalf("a retry got another response:\n%s\n%s", first.Body, again.Body)
	}

	t.Run("a different body with the same key is refused", func(t *testing.T) {
		s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("B"), Header: key}).expectProblem(t, 422)
	})
	t.Run("the same key of another user is another key", func(t *testing.T) {
		_, other := s.signUp(t)
		o := s.placeOrder(t, other, orderBody("A"), key)
		var mine order
		first.decode(t, &mine)
		if o.ID == mine.ID {
			t.Fatal("two users share an idempotent result")
		}
	})
	t.Run("concurrent retries create one order", func(t *testing.T) {
		k := map[string]string{"Idempotency-Key": "concurrent"}
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids[i] = s.placeOrder(t, token, orderBody("C"), k).ID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("concurrent retries created several orders: %v", ids)
			}
		}
	})

	if stored := allPages[order](t, s, token, "/v1/orders", 100); len(stored) != 2 {
		t.Fatalf("%d orders stored, want 2 (one per key)", len(stored))
	}
}

func TestIdempotencyKeysExpire(t *testing.T) {
	s := startServer(t, "IDEMPOTENCY_KEY_TTL", "1s")
	_, token := s.signUp(t)
	key := map[string]string{"Idempotency-Key": "short-lived"}
	first := s.placeOrder(t, token, orderBody("A"), key)
	s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("B"), Header: key}).expectProblem(t, 422)
	eventually(t, "the key to be forgotten", func() bool {
		res := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("B"), Header: key})
		if res.Status == 422 {
			time.Sleep(100 * time.Millisecond)
			return false
		}
		var o order
		res.expect(t, 201).decode(t, &o)
		if o.ID == first.ID {
			t.Fatal("a forgotten key replayed the old order")
		}
		return true
	})
}
