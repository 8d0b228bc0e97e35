package app_test

import (
	"context"
	"testing"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/modules/orders/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
)

const userID = "0190a0b2-7c3e-7000-8000-000000000001"

// module is the orders use cases on a temporary database of their own.
type module struct {
	svc       *app.Service
	db        *sqldb.DB
	processor *messaging.Processor
}

func newModule(t *testing.T) module {
	t.Helper()
	db := messagingtest.OpenDB(t, migrations.Of("orders"))
	svc := app.New(store.New(db, messagingtest.Outbox(t, "orders")), 100)
	return module{svc: svc, db: db, processor: messagingtest.Processor(t, db, svc.Handlers())}
}

// deliver hands the module one event, as its queue would, and fails the
// test if the handler fails.
func (m module) deliver(t *testing.T, topic string, payload any) {
	t.Helper()
	if err := messagingtest.Deliver(context.Background(), m.processor, topic, payload); err != nil {
		t.Fatalf("%s: %v", topic, err)
	}
}

func placeOrder() app.PlaceOrder {
	price := int64(1250)
	return app.PlaceOrder{Items: []app.Line{{SKU: "book", Quantity: 2, UnitPriceCents: &price}}, Currency: "EUR"}
}
