package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"example.com/modmono/modules/orders/internal/app"
)

// An Idempotency-Key result as releases before the store owned its formats
// stored it: the JSON of the old app.Order, and the hash of the old
// app.PlaceOrder's JSON.
const (
	oldRequest = `{"items":[{"sku":"book","quantity":2,"unit_price_cents":1250}],"currency":"EUR"}`
	oldOrder   = `{"seq":1,"id":"0190a0b2-7c3e-7000-8000-0000000000aa","user_id":"` + userID + `","status":"placed",` +
		`"items":[{"sku":"book","quantity":2,"unit_price_cents":1250}],"total_cents":2500,"currency":"EUR",` +
		`"shipping_address":{"line1":"1 Main St","line2":"Flat 4","city":"Berlin","postal_code":"10115","country":"DE"},` +
		`"created_at":"2026-11-22T10:00:00.123456789Z"}`
)

func TestAnIdempotencyKeyStoredByAnEarlierReleaseStillReplays(t *testing.T) {
	m := newModule(t)
	sum := sha256.Sum256([]byte(oldRequest))
	_, err := m.db.Write.Exec(`INSERT INTO idempotency_keys (user_id, key, request_hash, order_json, created_at)
VALUES ($1, 'old-key', $2, $3, '2026-11-22T10:00:00.123456789Z')`, userID, hex.EncodeToString(sum[:]), oldOrder)
	if err != nil {
		t.Fatal(err)
	}
	o, replayed, err := m.svc.PlaceOnce(context.Background(), userID, placeOrder(), "old-key")
	if err != nil || !replayed {
		t.Fatalf("placing again with the old key: %v (replayed %v), want the stored order", err, replayed)
	}
	want := app.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"}
	if o.ID != "0190a0b2-7c3e-7000-8000-0000000000aa" || o.TotalCents != 2500 || o.ShippingAddress != want ||
		o.CreatedAt.Nanosecond() != 123456789 {
		t.Errorf("replayed %+v, want the stored order", o)
	}
}
