package httpapi

import (
	"time"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/validate"
)

// The API's formats: what a request carries and a response holds, as the
// module's OpenAPI document (openapi.json) describes them.

// placeOrderRequest is the body of POST /v1/orders.
type placeOrderRequest struct {
	Items           []lineRequest `json:"items"`
	Currency        string        `json:"currency"`
	ShippingAddress *addressJSON  `json:"shipping_address,omitempty"`
}

// lineRequest is an order line as a request carries it. A unit price of 0
// is a price (a free item), so its absence must show: it is a pointer.
// Both numbers take any JSON spelling of an integer (1.0 is 1).
type lineRequest struct {
	SKU            string            `json:"sku"`
	Quantity       validate.Integer  `json:"quantity"`
	UnitPriceCents *validate.Integer `json:"unit_price_cents"`
}

// addressJSON is a postal address in a request or a response.
type addressJSON struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// orderResponse is an order as every orders endpoint returns it.
type orderResponse struct {
	ID              string         `json:"id"`
	UserID          string         `json:"user_id"`
	Status          string         `json:"status"`
	Items           []itemResponse `json:"items"`
	TotalCents      int64          `json:"total_cents"`
	Currency        string         `json:"currency"`
	ShippingAddress addressJSON    `json:"shipping_address"`
	CreatedAt       time.Time      `json:"created_at"`
}

type itemResponse struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

func toPlaceOrder(r placeOrderRequest) app.PlaceOrder {
	p := app.PlaceOrder{Items: make([]app.Line, len(r.Items)), Currency: r.Currency}
	for i, l := range r.Items {
		p.Items[i] = app.Line{SKU: l.SKU, Quantity: int64(l.Quantity)}
		if l.UnitPriceCents != nil {
			price := int64(*l.UnitPriceCents)
			p.Items[i].UnitPriceCents = &price
		}
	}
	if a := r.ShippingAddress; a != nil {
		p.ShippingAddress = &app.Address{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
	}
	return p
}

func toResponse(o app.Order) orderResponse {
	items := make([]itemResponse, len(o.Items))
	for i, it := range o.Items {
		items[i] = itemResponse{SKU: it.SKU, Quantity: it.Quantity, UnitPriceCents: it.UnitPriceCents}
	}
	a := o.ShippingAddress
	return orderResponse{
		ID: o.ID, UserID: o.UserID, Status: o.Status, Items: items, TotalCents: o.TotalCents, Currency: o.Currency,
		ShippingAddress: addressJSON{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country},
		CreatedAt:       o.CreatedAt,
	}
}
