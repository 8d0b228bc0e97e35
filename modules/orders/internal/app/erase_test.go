package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/app"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

func TestADeletedUsersOrdersKeepTheirTotalsButNoAddressAndTheRestIsGone(t *testing.T) {
	m := newModule(t)
	ctx := context.Background()
	const other = "0190a0b2-7c3e-7000-8000-0000000000ff"
	m.deliver(t, userevents.TopicUserAddressUpdated, addressUpdated(userID, "12 Replica Lane", time.Now()))
	m.deliver(t, userevents.TopicUserAddressUpdated, addressUpdated(other, "9 Other Road", time.Now()))
	own := placeOrder()
	own.ShippingAddress = &app.Address{Line1: "3 Given Street", Line2: "Flat 4", City: "Hamburg", PostalCode: "20095", Country: "DE"}
	var placed []app.Order
	for _, p := range []struct {
		order app.PlaceOrder
		key   string
	}{{placeOrder(), "key-1"}, {own, "key-2"}} {
		o, err := m.svc.Place(ctx, userID, p.order, p.key)
		if err != nil {
			t.Fatal(err)
		}
		placed = append(placed, o)
	}
	if _, err := m.svc.Cancel(ctx, userID, placed[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Place(ctx, other, placeOrder(), "key-1"); err != nil {
		t.Fatal(err)
	}
	messagingtest.Published(t, m.db, events.Contracts) // relayed: waiting only for the prune
	m.poison(t, `{"user_id":"`+userID+`","address":{"line1":"12 Replica Lane"}}`)
	m.poison(t, `{"user_id":"`+other+`"}`)

	m.deliver(t, userevents.TopicUserDeleted, userevents.UserDeleted{UserID: userID, DeletedAt: time.Now()})

	for _, want := range placed {
		got, err := m.svc.Get(ctx, userID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		erased := app.Address{Line1: app.ErasedText, City: app.ErasedText, PostalCode: app.ErasedText, Country: "DE"}
		if got.ShippingAddress != erased {
			t.Errorf("order %s ships to %+v, want %+v", got.ID, got.ShippingAddress, erased)
		}
		if got.TotalCents != want.TotalCents || got.Currency != want.Currency || len(got.Items) != len(want.Items) {
			t.Errorf("order %s: %+v, want the totals and items of %+v", got.ID, got, want)
		}
	}
	if traces := sqldbtest.Traces(t, m.db, "12 Replica Lane", "3 Given Street", "Flat 4", "Hamburg", "20095"); len(traces) != 0 {
		t.Errorf("the deleted user's address is still held: %q", traces)
	}
	if n := sqldbtest.Strings(t, m.db, `SELECT key FROM idempotency_keys WHERE user_id = $1`, userID); len(n) != 0 {
		t.Errorf("the deleted user's Idempotency-Keys %q are kept", n)
	}
	if kept := sqldbtest.Traces(t, m.db, "9 Other Road", other); len(kept) < 3 {
		t.Errorf("another user's address replica, order or poisoned event went too; left: %q", kept)
	}
	if left, err := messaging.Poisoned(ctx, m.db, ""); err != nil || len(left) != 1 {
		t.Errorf("poison queue %d events (err %v), want the other user's only", len(left), err)
	}
}

// poison puts an event with payload in the module's poison queue, as a
// handler that keeps failing does.
func (m module) poison(t *testing.T, payload string) {
	t.Helper()
	msg := message.NewMessage(uuid.NewString(), []byte(payload))
	msg.Metadata.Set(messaging.MetaEventType, userevents.TopicUserAddressUpdated)
	if err := m.processor.Poison(context.Background(), msg, errors.New("broken")); err != nil {
		t.Fatal(err)
	}
}
