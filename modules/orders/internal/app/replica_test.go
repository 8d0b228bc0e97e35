package app_test

import (
	"context"
	"testing"
	"time"

	userevents "example.com/modmono/modules/users/events"
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
