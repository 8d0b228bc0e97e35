package store

import (
	"context"
	"fmt"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// publish writes evs to the module's outbox in tx, as the module's public
// event contracts.
func (s *Store) publish(ctx context.Context, tx *sqldb.Tx, evs []app.Event) error {
	return messaging.AddAll(ctx, s.outbox, tx, evs, toPublished)
}

// toPublished maps a domain event to its topic and contract payload.
func toPublished(e app.Event) (topic string, payload any, err error) {
	switch e := e.(type) {
	case app.OrderPlaced:
		return events.TopicOrderPlaced, toOrderPlaced(e.Order), nil
	case app.OrderCancelled:
		return events.TopicOrderCancelled, toOrderCancelled(e), nil
	}
	return "", nil, fmt.Errorf("store: no contract for event %T", e)
}

func toOrderPlaced(o app.Order) events.OrderPlaced {
	items := make([]events.Item, len(o.Items))
	for i, it := range o.Items {
		items[i] = events.Item{SKU: it.SKU, Quantity: it.Quantity, UnitPriceCents: it.UnitPriceCents}
	}
	a := o.ShippingAddress
	return events.OrderPlaced{
		OrderID: o.ID, UserID: o.UserID, Items: items, TotalCents: o.TotalCents, Currency: o.Currency,
		ShippingAddress: events.Address{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country},
		PlacedAt:        o.CreatedAt,
	}
}

// reasons maps the domain's cancellation reasons to the contract's.
var reasons = map[string]string{
	app.ReasonCustomerRequest: events.ReasonCustomerRequest,
	app.ReasonUserDeleted:     events.ReasonUserDeleted,
}

func toOrderCancelled(e app.OrderCancelled) events.OrderCancelled {
	return events.OrderCancelled{OrderID: e.OrderID, UserID: e.UserID, Reason: reasons[e.Reason], CancelledAt: e.At}
}
