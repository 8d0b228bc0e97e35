package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"example.com/modmono/modules/orders/internal/app"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging/messagingtest"
)

func TestTheAddressReplicaKeepsTheNewestUpdate(t *testing.T) {
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		first, second time.Time
		want          string // Line1 of the address orders ships to
	}{
		{"a later update in the same second, with more fraction digits", base.Add(100 * time.Millisecond), base.Add(120 * time.Millisecond), "second"},
		{"a later update on the whole second", base.Add(900 * time.Millisecond), base.Add(time.Second), "second"},
		{"an older update delivered late", base.Add(120 * time.Millisecond), base.Add(100 * time.Millisecond), "first"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newModule(t)
			m.deliver(t, userevents.TopicUserAddressUpdated, addressUpdated(userID, "first", tc.first))
			m.deliver(t, userevents.TopicUserAddressUpdated, addressUpdated(userID, "second", tc.second))

			o, err := m.svc.Place(context.Background(), userID, placeOrder(), "")
			if err != nil {
				t.Fatal(err)
			}
			if got := o.ShippingAddress.Line1; got != tc.want {
				t.Errorf("the order ships to the %q address, want the %q one", got, tc.want)
			}
		})
	}
}

func addressUpdated(userID, line1 string, at time.Time) userevents.UserAddressUpdated {
	return userevents.UserAddressUpdated{
		UserID:    userID,
		Address:   userevents.Address{Line1: line1, City: "Berlin", PostalCode: "10115", Country: "DE"},
		UpdatedAt: at,
	}
}

// Events of different topics can arrive in any order, and with several
// consumers at once: a user's address is never kept after their deletion,
// whichever comes first and however close together they come.
func TestNoAddressOutlivesItsUser(t *testing.T) {
	m := newModule(t)
	ctx := context.Background()
	const users = 20
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, 2*users)
	for i := range users {
		id := fmt.Sprintf("0190a0b2-7c3e-7000-8000-%012d", i)
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- messagingtest.Deliver(ctx, m.processor, userevents.TopicUserDeleted, userevents.UserDeleted{UserID: id, DeletedAt: at})
		}()
		go func() {
			defer wg.Done()
			errs <- messagingtest.Deliver(ctx, m.processor, userevents.TopicUserAddressUpdated, addressUpdated(id, "late", at))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range users {
		id := fmt.Sprintf("0190a0b2-7c3e-7000-8000-%012d", i)
		_, err := m.svc.Place(ctx, id, app.PlaceOrder{Items: placeOrder().Items, Currency: "EUR"}, "")
		if err == nil {
			t.Errorf("user %s: an order was placed for a deleted user", id)
		}
	}
	var n int
	if err := m.db.Read.QueryRow(`SELECT count(*) FROM user_addresses`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d addresses kept for deleted users (err %v)", n, err)
	}
}
