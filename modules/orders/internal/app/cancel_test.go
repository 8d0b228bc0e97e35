package app_test

import (
	"context"
	"testing"
	"time"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/app"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/messaging/messagingtest"
)

func TestCancellingPublishesOrderCancelledOnce(t *testing.T) {
	m := newModule(t)
	ctx := context.Background()
	m.deliver(t, userevents.TopicUserAddressUpdated, addressUpdated(userID, "home", time.Now()))
	o, err := m.svc.Place(ctx, userID, placeOrder(), "")
	if err != nil {
		t.Fatal(err)
	}
	messagingtest.Published(t, m.db, events.Contracts)

	got, err := m.svc.Cancel(ctx, userID, o.ID)
	if err != nil || got.Status != app.StatusCancelled {
		t.Fatalf("cancel: %+v, %v", got, err)
	}
	if _, err := m.svc.Cancel(ctx, userID, o.ID); apperror.KindOf(err) != apperror.Conflict {
		t.Errorf("second cancel: %v, want a conflict", err)
	}
	if _, err := m.svc.Cancel(ctx, "0190a0b2-7c3e-7000-8000-0000000000ff", o.ID); apperror.KindOf(err) != apperror.NotFound {
		t.Errorf("another user's cancel: %v, want not found", err)
	}
	if e := m.cancelled(t); e.OrderID != o.ID || e.Reason != events.ReasonCustomerRequest {
		t.Errorf("event %+v", e)
	}
}

func TestADeletedUsersOpenOrdersAreCancelledAndNoNewOnesPlaced(t *testing.T) {
	m := newModule(t)
	ctx := context.Background()
	m.deliver(t, userevents.TopicUserAddressUpdated, addressUpdated(userID, "home", time.Now()))
	open, err := m.svc.Place(ctx, userID, placeOrder(), "key-1")
	if err != nil {
		t.Fatal(err)
	}
	done, err := m.svc.Place(ctx, userID, placeOrder(), "")
	if err == nil {
		_, err = m.svc.Cancel(ctx, userID, done.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	messagingtest.Published(t, m.db, events.Contracts)

	m.deliver(t, userevents.TopicUserDeleted, userevents.UserDeleted{UserID: userID, DeletedAt: time.Now()})

	if e := m.cancelled(t); e.OrderID != open.ID || e.Reason != events.ReasonUserDeleted {
		t.Errorf("event %+v, want the open order cancelled because the user was deleted", e)
	}
	withAddress := placeOrder()
	withAddress.ShippingAddress = &app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	for _, c := range []struct {
		name string
		p    app.PlaceOrder
		key  string
	}{
		{"with the replicated address", placeOrder(), ""},
		{"with an address of its own", withAddress, ""},
		{"with an address of its own and a new Idempotency-Key", withAddress, "key-2"},
		{"repeating an earlier request's Idempotency-Key", placeOrder(), "key-1"},
	} {
		if _, err := m.svc.Place(ctx, userID, c.p, c.key); apperror.KindOf(err) != apperror.Unauthorized {
			t.Errorf("placing for a deleted user %s: %v, want unauthorized", c.name, err)
		}
	}
	if published := messagingtest.Published(t, m.db, events.Contracts); len(published) != 0 {
		t.Errorf("published %+v for a deleted user, want nothing", published)
	}
}

// cancelled returns the one event the module published since the last
// look, which must be an OrderCancelled.
func (m module) cancelled(t *testing.T) events.OrderCancelled {
	t.Helper()
	published := messagingtest.Published(t, m.db, events.Contracts)
	if len(published) != 1 || published[0].Topic != events.TopicOrderCancelled {
		t.Fatalf("published %+v, want one %s", published, events.TopicOrderCancelled)
	}
	var e events.OrderCancelled
	published[0].Decode(t, &e)
	return e
}
