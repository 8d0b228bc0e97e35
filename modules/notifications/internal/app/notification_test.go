package app_test

import (
	"testing"
	"time"

	"example.com/modmono/modules/notifications/internal/app"
)

func TestEachKindOfMessageSaysWhatHappened(t *testing.T) {
	tests := []struct {
		name string
		got  app.Message
		want app.Message
	}{
		{"a welcome names the user and their account",
			app.Welcome(app.Contact{Email: "ada@example.com", Name: "Ada"}),
			app.Message{Kind: app.KindWelcome, Subject: "Welcome, Ada!", Body: "Your account ada@example.com is ready."}},
		{"a changed address is written on one line",
			app.AddressChanged(app.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"}),
			app.Message{Kind: app.KindAddressChanged, Subject: "Your address was changed",
				Body: "Your address is now: 1 Main St, Flat 4, 10115 Berlin, DE."}},
		{"a placed order tells its lines and its total in units of the currency",
			app.OrderPlaced(app.PlacedOrder{ID: "o1", Lines: 2, TotalCents: 2505, Currency: "EUR"}),
			app.Message{Kind: app.KindOrderPlaced, Subject: "Order placed", Body: "Your order o1 of 2 item(s) for 25.05 EUR is placed."}},
		{"a cancelled order is named",
			app.OrderCancelled("o1"),
			app.Message{Kind: app.KindOrderCancelled, Subject: "Order cancelled", Body: "Your order o1 is cancelled."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %+v, want %+v", tc.got, tc.want)
			}
		})
	}
}

func TestAnAddressOnOneLineLeavesOutEmptyParts(t *testing.T) {
	tests := []struct {
		name string
		a    app.Address
		want string
	}{
		{"every part", app.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"},
			"1 Main St, Flat 4, 10115 Berlin, DE"},
		{"no second line", app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
			"1 Main St, 10115 Berlin, DE"},
		{"blank parts", app.Address{Line1: " ", City: "Berlin", Country: "DE"}, "Berlin, DE"},
		{"an erased address", app.Address{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.OneLine(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAMessageToAUserIsANewNotificationOfTheEvent(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	m := app.OrderCancelled("o1")
	n, again := m.To("u1", "e1", at), m.To("u1", "e1", at)
	want := app.Notification{ID: n.ID, UserID: "u1", Kind: m.Kind, Subject: m.Subject, Body: m.Body, EventID: "e1", CreatedAt: at}
	if n != want || n.ID == "" {
		t.Errorf("got %+v, want %+v with an id", n, want)
	}
	if again.ID == n.ID {
		t.Errorf("two notifications share the id %s", n.ID)
	}
}
