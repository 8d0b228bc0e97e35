package store

import (
	"encoding/json"
	"testing"
	"time"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/app"
)

// storedBefore is an Idempotency-Key result as releases before the store
// owned its formats wrote it (the JSON of the old app.Order).
const storedBefore = `{"seq":7,"id":"0190a0b2-7c3e-7000-8000-0000000000aa","user_id":"0190a0b2-7c3e-7000-8000-000000000001",` +
	`"status":"placed","items":[{"sku":"book","quantity":2,"unit_price_cents":1250}],"total_cents":2500,"currency":"EUR",` +
	`"shipping_address":{"line1":"1 Main St","line2":"Flat 4","city":"Berlin","postal_code":"10115","country":"DE"},` +
	`"created_at":"2026-11-22T10:00:00.123456789Z"}`

func TestAnIdempotencyResultStoredByEarlierReleasesStillReplays(t *testing.T) {
	var row orderJSON
	if err := json.Unmarshal([]byte(storedBefore), &row); err != nil {
		t.Fatal(err)
	}
	o := toOrder(row)
	want := app.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"}
	if o.Seq != 7 || o.TotalCents != 2500 || len(o.Items) != 1 || o.Items[0].UnitPriceCents != 1250 || o.ShippingAddress != want ||
		o.CreatedAt != time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC) {
		t.Errorf("read %+v", o)
	}
	again, err := encode(toOrderJSON(o))
	if err != nil || again != storedBefore {
		t.Errorf("written again as\n%s\nwant the same text as before\n%s (err %v)", again, storedBefore, err)
	}
}

func TestAStoredAddressReadsBackAsWritten(t *testing.T) {
	for _, a := range []app.Address{
		{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
		{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"},
	} {
		raw, err := encode(toAddressJSON(a))
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeAddress([]byte(raw))
		if err != nil || got != a {
			t.Errorf("%s reads back as %+v, want %+v (err %v)", raw, got, a, err)
		}
	}
}

func TestDomainEventsMapToTheirContracts(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	addr := app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	o := app.NewOrder("o1", "u1", []app.Item{{SKU: "book", Quantity: 2, UnitPriceCents: 1250}}, "EUR", addr, at)
	topic, payload, err := toPublished(o.Events()[0])
	placed, ok := payload.(events.OrderPlaced)
	if err != nil || !ok || topic != events.TopicOrderPlaced || placed.OrderID != "o1" || placed.UserID != "u1" ||
		placed.TotalCents != 2500 || placed.Items[0] != (events.Item{SKU: "book", Quantity: 2, UnitPriceCents: 1250}) ||
		placed.ShippingAddress.City != "Berlin" || !placed.PlacedAt.Equal(at) {
		t.Errorf("OrderPlaced maps to %s %+v (err %v)", topic, payload, err)
	}
	for reason, want := range map[string]string{
		app.ReasonCustomerRequest: events.ReasonCustomerRequest, app.ReasonUserDeleted: events.ReasonUserDeleted,
	} {
		topic, payload, err := toPublished(app.OrderCancelled{OrderID: "o1", UserID: "u1", Reason: reason, At: at})
		c, ok := payload.(events.OrderCancelled)
		if err != nil || !ok || topic != events.TopicOrderCancelled || c.Reason != want || c.OrderID != "o1" || !c.CancelledAt.Equal(at) {
			t.Errorf("OrderCancelled (%s) maps to %s %+v (err %v)", reason, topic, payload, err)
		}
	}
}
