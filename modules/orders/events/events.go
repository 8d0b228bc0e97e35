// Package events is the orders module's public contract: the topics it
// publishes and their payloads. Other modules may import this package and
// nothing else of orders. A breaking change gets a new versioned topic.
package events

import (
	"errors"
	"time"
)

// Topics, versioned in their names.
const (
	TopicOrderPlaced    = "orders.OrderPlaced.v1"
	TopicOrderCancelled = "orders.OrderCancelled.v1"
)

// Item is one line of an order.
type Item struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

// Address is where an order ships to.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// OrderPlaced: a user placed an order.
type OrderPlaced struct {
	OrderID         string    `json:"order_id"`
	UserID          string    `json:"user_id"`
	Items           []Item    `json:"items"`
	TotalCents      int64     `json:"total_cents"`
	Currency        string    `json:"currency"`
	ShippingAddress Address   `json:"shipping_address"`
	PlacedAt        time.Time `json:"placed_at"`
}

// Validate checks the fields every consumer relies on.
func (e OrderPlaced) Validate() error {
	if e.OrderID == "" || e.UserID == "" || len(e.Items) == 0 || len(e.Currency) != 3 {
		return errors.New("order_id, user_id, items and currency are required")
	}
	return nil
}

// Cancellation reasons.
const (
	ReasonCustomerRequest = "customer_request"
	ReasonUserDeleted     = "user_deleted"
)

// OrderCancelled: an order was cancelled, by its owner or because the owner
// closed their account.
type OrderCancelled struct {
	OrderID     string    `json:"order_id"`
	UserID      string    `json:"user_id"`
	Reason      string    `json:"reason"`
	CancelledAt time.Time `json:"cancelled_at"`
}

// Validate checks the fields every consumer relies on.
func (e OrderCancelled) Validate() error {
	if e.OrderID == "" || e.UserID == "" {
		return errors.New("order_id and user_id are required")
	}
	return nil
}
