package store

import (
	"encoding/json"
	"fmt"
	"time"

	"example.com/modmono/modules/orders/internal/app"
)

// The store's formats. The JSON the orders table, the address replica and
// the Idempotency-Key results hold is the store's own, written here and
// nowhere else; it must keep reading what earlier releases stored.

// itemJSON is an order line in orders.items.
type itemJSON struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

// addressJSON is a postal address in orders.shipping_address and
// user_addresses.address.
type addressJSON struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// orderJSON is an order as an Idempotency-Key result holds it
// (idempotency_keys.order_json): the order as first returned.
type orderJSON struct {
	Seq             int64       `json:"seq"`
	ID              string      `json:"id"`
	UserID          string      `json:"user_id"`
	Status          string      `json:"status"`
	Items           []itemJSON  `json:"items"`
	TotalCents      int64       `json:"total_cents"`
	Currency        string      `json:"currency"`
	ShippingAddress addressJSON `json:"shipping_address"`
	CreatedAt       time.Time   `json:"created_at"`
}

func toItemsJSON(items []app.Item) []itemJSON {
	out := make([]itemJSON, len(items))
	for i, it := range items {
		out[i] = itemJSON{SKU: it.SKU, Quantity: it.Quantity, UnitPriceCents: it.UnitPriceCents}
	}
	return out
}

func toItems(rows []itemJSON) []app.Item {
	out := make([]app.Item, len(rows))
	for i, r := range rows {
		out[i] = app.Item{SKU: r.SKU, Quantity: r.Quantity, UnitPriceCents: r.UnitPriceCents}
	}
	return out
}

func toAddressJSON(a app.Address) addressJSON {
	return addressJSON{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
}

func toAddress(r addressJSON) app.Address {
	return app.Address{Line1: r.Line1, Line2: r.Line2, City: r.City, PostalCode: r.PostalCode, Country: r.Country}
}

func toOrderJSON(o app.Order) orderJSON {
	return orderJSON{
		Seq: o.Seq, ID: o.ID, UserID: o.UserID, Status: o.Status, Items: toItemsJSON(o.Items),
		TotalCents: o.TotalCents, Currency: o.Currency, ShippingAddress: toAddressJSON(o.ShippingAddress), CreatedAt: o.CreatedAt,
	}
}

func toOrder(r orderJSON) app.Order {
	return app.Order{
		Seq: r.Seq, ID: r.ID, UserID: r.UserID, Status: r.Status, Items: toItems(r.Items),
		TotalCents: r.TotalCents, Currency: r.Currency, ShippingAddress: toAddress(r.ShippingAddress), CreatedAt: r.CreatedAt,
	}
}

// encode writes v as JSON text: a TEXT column takes a string in every pgx
// query mode, where []byte would be sent as bytea (hex) when the statement
// is not prepared first (as behind a transaction pooler).
func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// decodeAddress reads a stored address.
func decodeAddress(raw []byte) (app.Address, error) {
	var r addressJSON
	if err := json.Unmarshal(raw, &r); err != nil {
		return app.Address{}, fmt.Errorf("address: %w", err)
	}
	return toAddress(r), nil
}
