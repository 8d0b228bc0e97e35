package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"example.com/modmono/modules/orders/internal/app"
)

func TestARequestBodyMapsToThePlaceOrderCommand(t *testing.T) {
	var req placeOrderRequest
	body := `{"items":[{"sku":"book","quantity":2.0,"unit_price_cents":0},{"sku":"pen","quantity":1}],"currency":"eur",` +
		`"shipping_address":{"line1":"1 Main St","line2":"Flat 4","city":"Berlin","postal_code":"10115","country":"DE"}}`
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	p := toPlaceOrder(req)
	if len(p.Items) != 2 || p.Items[0].Quantity != 2 || p.Items[0].UnitPriceCents == nil || *p.Items[0].UnitPriceCents != 0 {
		t.Errorf("first line %+v, want 2 at a price of 0", p.Items[0])
	}
	if p.Items[1].UnitPriceCents != nil {
		t.Errorf("a line without a price maps to price %d, want none", *p.Items[1].UnitPriceCents)
	}
	want := app.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"}
	if p.Currency != "eur" || p.ShippingAddress == nil || *p.ShippingAddress != want {
		t.Errorf("command %+v", p)
	}
	if toPlaceOrder(placeOrderRequest{}).ShippingAddress != nil {
		t.Error("a request without an address maps to one")
	}
}

func TestAnOrderRendersAsTheAPIDocumentsIt(t *testing.T) {
	o := app.Order{
		Seq: 3, ID: "o1", UserID: "u1", Status: app.StatusPlaced, Items: []app.Item{{SKU: "book", Quantity: 2, UnitPriceCents: 1250}},
		TotalCents: 2500, Currency: "EUR", CreatedAt: time.Date(2026, 11, 22, 10, 0, 0, 5, time.UTC),
		ShippingAddress: app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
	}
	b, err := json.Marshal(toResponse(o))
	want := `{"id":"o1","user_id":"u1","status":"placed","items":[{"sku":"book","quantity":2,"unit_price_cents":1250}],` +
		`"total_cents":2500,"currency":"EUR","shipping_address":{"line1":"1 Main St","city":"Berlin","postal_code":"10115",` +
		`"country":"DE"},"created_at":"2026-11-22T10:00:00.000000005Z"}`
	if err != nil || string(b) != want {
		t.Errorf("rendered\n%s\nwant\n%s (err %v)", b, want, err)
	}
}
