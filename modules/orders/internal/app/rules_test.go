package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/apperror"
)

func price(c int64) *int64 { return &c }

func TestThePlacingRules(t *testing.T) {
	line := app.Line{SKU: "book", Quantity: 1, UnitPriceCents: price(100)}
	many := make([]app.Line, 4)
	for i := range many {
		many[i] = line
	}
	tests := []struct {
		name  string
		p     app.PlaceOrder
		field string // the first field refused, "" when admitted
	}{
		{"one line in a currency in use", app.PlaceOrder{Items: []app.Line{line}, Currency: "EUR"}, ""},
		{"a free item", app.PlaceOrder{Items: []app.Line{{SKU: "gift", Quantity: 1, UnitPriceCents: price(0)}}, Currency: "EUR"}, ""},
		{"no lines", app.PlaceOrder{Currency: "EUR"}, "items"},
		{"more lines than the most an order holds", app.PlaceOrder{Items: many, Currency: "EUR"}, "items"},
		{"a line without a SKU", app.PlaceOrder{Items: []app.Line{{Quantity: 1, UnitPriceCents: price(1)}}, Currency: "EUR"}, "items[0].sku"},
		{"a quantity of 0", app.PlaceOrder{Items: []app.Line{{SKU: "a", UnitPriceCents: price(1)}}, Currency: "EUR"}, "items[0].quantity"},
		{"a quantity past the limit", app.PlaceOrder{Items: []app.Line{{SKU: "a", Quantity: app.MaxQuantity + 1, UnitPriceCents: price(1)}}, Currency: "EUR"}, "items[0].quantity"},
		{"no unit price", app.PlaceOrder{Items: []app.Line{{SKU: "a", Quantity: 1}}, Currency: "EUR"}, "items[0].unit_price_cents"},
		{"a negative unit price", app.PlaceOrder{Items: []app.Line{{SKU: "a", Quantity: 1, UnitPriceCents: price(-1)}}, Currency: "EUR"}, "items[0].unit_price_cents"},
		{"a currency no longer in use", app.PlaceOrder{Items: []app.Line{line}, Currency: "DEM"}, "currency"},
		{"an address in no country", app.PlaceOrder{Items: []app.Line{line}, Currency: "EUR",
			ShippingAddress: &app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "EU"}}, "shipping_address.country"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate(3)
			if got := firstField(err); got != tc.field {
				t.Errorf("Validate = %v; first field refused %q, want %q", err, got, tc.field)
			}
		})
	}
}

func firstField(err error) string {
	var e *apperror.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[0].Field
}

func TestPlacingNormalisesTheRequest(t *testing.T) {
	p := app.PlaceOrder{Items: []app.Line{{SKU: " book ", Quantity: 1, UnitPriceCents: price(1)}}, Currency: " eur ",
		ShippingAddress: &app.Address{Line1: " 1 Main St ", City: "Berlin", PostalCode: "10115", Country: " de "}}
	if err := p.Validate(100); err != nil {
		t.Fatal(err)
	}
	if p.Currency != "EUR" || p.Items[0].SKU != "book" || p.ShippingAddress.Line1 != "1 Main St" || p.ShippingAddress.Country != "DE" {
		t.Errorf("normalised %+v (address %+v)", p, *p.ShippingAddress)
	}
}

// Stored Idempotency-Key results hold the request's hash: a release that
// hashed the same request differently would refuse every retry of a
// request made before it.
func TestTheRequestHashIsTheOneEarlierReleasesStored(t *testing.T) {
	p := app.PlaceOrder{Items: []app.Line{{SKU: "book", Quantity: 2, UnitPriceCents: price(1250)}}, Currency: "EUR"}
	withAddress := p
	withAddress.ShippingAddress = &app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	for _, tc := range []struct {
		p    app.PlaceOrder
		json string
	}{
		{p, `{"items":[{"sku":"book","quantity":2,"unit_price_cents":1250}],"currency":"EUR"}`},
		{withAddress, `{"items":[{"sku":"book","quantity":2,"unit_price_cents":1250}],"currency":"EUR",` +
			`"shipping_address":{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}}`},
	} {
		sum := sha256.Sum256([]byte(tc.json))
		if got, want := tc.p.Hash(), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("hash of %s: %s, want %s", strings.TrimSpace(tc.json), got, want)
		}
	}
}
