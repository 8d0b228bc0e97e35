package app

import (
	"time"

	"example.com/modmono/platform/validate"
)

// Order statuses.
const (
	StatusPlaced    = "placed"
	StatusCancelled = "cancelled"
)

// Order is a user's order.
type Order struct {
	// Seq orders a user's orders for keyset pagination; ID is public.
	Seq             int64     `json:"seq"`
	ID              string    `json:"id"`
	UserID          string    `json:"user_id"`
	Status          string    `json:"status"`
	Items           []Item    `json:"items"`
	TotalCents      int64     `json:"total_cents"`
	Currency        string    `json:"currency"`
	ShippingAddress Address   `json:"shipping_address"`
	CreatedAt       time.Time `json:"created_at"`
}

// Item is one order line.
type Item struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

// Address is a postal address: where an order ships to, and the replica of
// each user's address.
type Address validate.Address

// IdempotentResult is what an Idempotency-Key first produced.
type IdempotentResult struct {
	RequestHash string
	Order       Order
}
