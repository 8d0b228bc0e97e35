package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"example.com/modmono/modules/notifications/internal/app"
	orderevents "example.com/modmono/modules/orders/events"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// users is a Store whose event handlers reach recipients held in memory:
// the handlers' rules, with no database.
type users struct {
	app.Store // only Consume is called
	held      map[string]*held
}

// held is what the module holds about one user, and what was done to it.
type held struct {
	locks         int
	contact       app.Contact
	notifications []app.Notification
	erasedAt      time.Time
}

func (u *users) Consume(handlers []app.EventHandler) []messaging.Handler {
	out := make([]messaging.Handler, len(handlers))
	for i, h := range handlers {
		out[i] = messaging.Handler{Topic: h.Topic, Apply: func(ctx context.Context, _ *sqldb.Tx, ev messaging.Event) error {
			return h.Apply(ctx, u, ev)
		}}
	}
	return out
}

func (u *users) Lock(_ context.Context, userID string) (app.Recipient, error) {
	if u.held[userID] == nil {
		u.held[userID] = &held{}
	}
	u.held[userID].locks++
	return u.held[userID], nil
}

func (h *held) SaveContact(_ context.Context, c app.Contact) error { h.contact = c; return nil }

func (h *held) AddNotification(_ context.Context, n app.Notification) error {
	h.notifications = append(h.notifications, n)
	return nil
}

func (h *held) Erase(_ context.Context, at time.Time) error { h.erasedAt = at; return nil }

// apply hands the event of topic with payload, as event id, to the handler
// of topic, and returns what the module then holds about userID.
func apply(t *testing.T, topic, id string, payload any) *held {
	t.Helper()
	u := &users{held: map[string]*held{}}
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range app.New(u, nil, nil).Handlers() {
		if h.Topic == topic {
			if err := h.Apply(context.Background(), nil, messaging.Event{ID: id, Topic: topic, Payload: raw}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return u.held[userID]
}

func TestEachEventConsumedBecomesItsNotificationUnderTheUsersLock(t *testing.T) {
	address := userevents.UserAddressUpdated{UserID: userID, UpdatedAt: now,
		Address: userevents.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}}
	cancelled := orderevents.OrderCancelled{OrderID: "0190a0b2-7c3e-7000-8000-0000000000a1", UserID: userID,
		Reason: orderevents.ReasonUserDeleted, CancelledAt: now}
	tests := []struct {
		topic   string
		payload any
		want    app.Message
	}{
		{userevents.TopicUserRegistered, registered(), app.Welcome(app.Contact{Email: "ada@example.com", Name: "Ada"})},
		{userevents.TopicUserAddressUpdated, address, app.AddressChanged(app.Address{Line1: "1 Main St", City: "Berlin",
			PostalCode: "10115", Country: "DE"})},
		{orderevents.TopicOrderPlaced, placed("0190a0b2-7c3e-7000-8000-0000000000a1"), app.OrderPlaced(app.PlacedOrder{
			ID: "0190a0b2-7c3e-7000-8000-0000000000a1", Lines: 1, TotalCents: 2599, Currency: "EUR"})},
		{orderevents.TopicOrderCancelled, cancelled, app.OrderCancelled(cancelled.OrderID)},
	}
	for _, tc := range tests {
		t.Run(tc.topic, func(t *testing.T) {
			h := apply(t, tc.topic, "e1", tc.payload)
			if h == nil || h.locks != 1 || len(h.notifications) != 1 {
				t.Fatalf("held %+v, want one notification stored under one lock", h)
			}
			n := h.notifications[0]
			got := app.Message{Kind: n.Kind, Subject: n.Subject, Body: n.Body}
			if got != tc.want || n.UserID != userID || n.EventID != "e1" || n.ID == "" || n.CreatedAt.IsZero() {
				t.Errorf("stored %+v, want %+v for the user, from the event", n, tc.want)
			}
		})
	}
}

func TestARegistrationKeepsTheContactDetails(t *testing.T) {
	h := apply(t, userevents.TopicUserRegistered, "e1", registered())
	if want := (app.Contact{Email: "ada@example.com", Name: "Ada"}); h.contact != want {
		t.Errorf("contact %+v, want %+v", h.contact, want)
	}
}

func TestADeletionErasesTheUserAndNotifiesNobody(t *testing.T) {
	h := apply(t, userevents.TopicUserDeleted, "e1", userevents.UserDeleted{UserID: userID, DeletedAt: now})
	if h == nil || h.locks != 1 || h.erasedAt.IsZero() || len(h.notifications) != 0 {
		t.Errorf("held %+v, want the user erased under their lock, with no notification", h)
	}
}
