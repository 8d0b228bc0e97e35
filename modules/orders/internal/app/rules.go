package app

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"example.com/modmono/platform/validate"
)

// Limits on an order line; the number of lines is the Service's maxItems.
const (
	MaxQuantity       = 10_000
	MaxUnitPriceCents = 100_000_000
)

// PlaceOrder is the command to place an order.
type PlaceOrder struct {
	Items    []Line
	Currency string
	// ShippingAddress is nil to ship to the user's replicated address.
	ShippingAddress *Address
}

// Line is an order line as asked for. A unit price of 0 is a price (a free
// item), so its absence must show: it is a pointer.
type Line struct {
	SKU            string
	Quantity       int64
	UnitPriceCents *int64
}

// Validate normalises p in place and checks it against the placing rules:
// one to maxItems lines, each with a SKU, a quantity and a unit price within
// the limits; a currency in use; a valid address if one is given.
func (p *PlaceOrder) Validate(maxItems int) error {
	var v validate.Validator
	v.Check(len(p.Items) > 0, "items", "must hold at least one item")
	v.Check(len(p.Items) <= maxItems, "items", fmt.Sprintf("must hold at most %d items", maxItems))
	for i := range p.Items {
		p.Items[i].validate(&v, fmt.Sprintf("items[%d].", i))
	}
	p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
	v.Check(validate.IsCurrency(p.Currency), "currency", "must be the ISO 4217 code of a currency in use, like EUR or USD")
	if p.ShippingAddress != nil {
		p.ShippingAddress.validate(&v, "shipping_address.")
	}
	return v.Err()
}

func (l *Line) validate(v *validate.Validator, prefix string) {
	v.Text(prefix+"sku", &l.SKU, 1, 64)
	v.Check(l.Quantity >= 1 && l.Quantity <= MaxQuantity, prefix+"quantity", fmt.Sprintf("must be from 1 to %d", MaxQuantity))
	switch {
	case l.UnitPriceCents == nil:
		v.Add(prefix+"unit_price_cents", "is required")
	case *l.UnitPriceCents < 0 || *l.UnitPriceCents > MaxUnitPriceCents:
		v.Add(prefix+"unit_price_cents", fmt.Sprintf("must be from 0 to %d", MaxUnitPriceCents))
	}
}

// items returns the lines of a validated p as order items.
func (p *PlaceOrder) items() []Item {
	items := make([]Item, len(p.Items))
	for i, l := range p.Items {
		items[i] = Item{SKU: l.SKU, Quantity: l.Quantity, UnitPriceCents: *l.UnitPriceCents}
	}
	return items
}

// hashedRequest is the form of a PlaceOrder that Hash digests. Stored
// Idempotency-Key results hold its digest, so it never changes: the same
// request must hash alike across releases.
type hashedRequest struct {
	Items           []hashedLine   `json:"items"`
	Currency        string         `json:"currency"`
	ShippingAddress *hashedAddress `json:"shipping_address,omitempty"`
}

type hashedLine struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents *int64 `json:"unit_price_cents"`
}

type hashedAddress struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Hash identifies the request's content for Idempotency-Key checks. It is
// taken after normalisation (Validate), so spacing and letter case do not
// count.
func (p *PlaceOrder) Hash() string {
	h := hashedRequest{Currency: p.Currency}
	h.Items = make([]hashedLine, len(p.Items))
	for i, l := range p.Items {
		//lint:ignore S1016 spelled out so that the hashed form never follows a change to Line
		h.Items[i] = hashedLine{SKU: l.SKU, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents}
	}
	if a := p.ShippingAddress; a != nil {
		h.ShippingAddress = &hashedAddress{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
	}
	b, _ := json.Marshal(h) // plain structs: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
