package app

import (
	"time"

	"example.com/modmono/platform/apperror"
)

// Order statuses.
const (
	StatusPlaced    = "placed"
	StatusCancelled = "cancelled"
)

// Cancellation reasons.
const (
	ReasonCustomerRequest = "customer_request"
	ReasonUserDeleted     = "user_deleted"
)

// Order is a user's order, the module's aggregate: its methods keep its
// rules and record the events other modules learn of, which the store
// publishes in the transaction that saves the order.
type Order struct {
	// Seq orders a user's orders for keyset pagination; ID is public.
	Seq             int64
	ID              string
	UserID          string
	Status          string
	Items           []Item
	TotalCents      int64
	Currency        string
	ShippingAddress Address
	CreatedAt       time.Time
	// UpdatedAt is when the status last changed.
	UpdatedAt time.Time

	events []Event
}

// Item is one order line.
type Item struct {
	SKU            string
	Quantity       int64
	UnitPriceCents int64
}

// Event is what an Order's method did that other modules learn of:
// OrderPlaced or OrderCancelled.
type Event interface{ orderEvent() }

// OrderPlaced records that an order was placed; Order is the order as placed.
type OrderPlaced struct{ Order Order }

// OrderCancelled records that an order was cancelled.
type OrderCancelled struct {
	OrderID, UserID, Reason string
	At                      time.Time
}

func (OrderPlaced) orderEvent()    {}
func (OrderCancelled) orderEvent() {}

// NewOrder places an order of userID for items, which the placing rules
// (PlaceOrder.Validate) admitted, shipping to addr, as of at: its total is
// computed, and it records OrderPlaced.
func NewOrder(id, userID string, items []Item, currency string, addr Address, at time.Time) Order {
	o := Order{
		ID: id, UserID: userID, Status: StatusPlaced, Items: items, TotalCents: Total(items),
		Currency: currency, ShippingAddress: addr, CreatedAt: at, UpdatedAt: at,
	}
	o.events = []Event{OrderPlaced{Order: o}}
	return o
}

// Total is what items cost together, in cents. The placing limits keep it
// far from overflowing.
func Total(items []Item) int64 {
	var total int64
	for _, it := range items {
		total += it.Quantity * it.UnitPriceCents
	}
	return total
}

// CanCancel reports whether o can still be cancelled: only a placed order
// can.
func (o Order) CanCancel() bool { return o.Status == StatusPlaced }

// Cancel cancels o as of at, for reason, and records OrderCancelled; an
// order already cancelled is a conflict.
func (o *Order) Cancel(reason string, at time.Time) error {
	if !o.CanCancel() {
		return apperror.New(apperror.Conflict, "The order is already cancelled.")
	}
	o.Status, o.UpdatedAt = StatusCancelled, at
	o.events = append(o.events, OrderCancelled{OrderID: o.ID, UserID: o.UserID, Reason: reason, At: at})
	return nil
}

// Events returns the events o's methods recorded since it was loaded or
// created, oldest first.
func (o Order) Events() []Event { return o.events }

// IdempotentResult is what an Idempotency-Key first produced.
type IdempotentResult struct {
	RequestHash string
	Order       Order
}
