package events_test

import (
	"os"
	"testing"
	"time"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/platform/eventschema"
)

// TestContracts holds the published topics to their schemas, and the
// schemas to what was first published.
func TestContracts(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	samples := map[string]any{
		events.TopicOrderPlaced: events.OrderPlaced{OrderID: "o1", UserID: "u1", TotalCents: 2500, Currency: "EUR", PlacedAt: at,
			Items:           []events.Item{{SKU: "A", Quantity: 2, UnitPriceCents: 1250}},
			ShippingAddress: events.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}},
		events.TopicOrderCancelled: events.OrderCancelled{OrderID: "o1", UserID: "u1", Reason: events.ReasonUserDeleted, CancelledAt: at},
	}
	for _, err := range eventschema.CheckContracts(events.Contracts, os.DirFS("testdata/published"), samples) {
		t.Error(err)
	}
}
