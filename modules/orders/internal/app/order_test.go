package app_test

import (
	"testing"
	"time"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/apperror"
)

var at = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func placed() app.Order {
	items := []app.Item{{SKU: "book", Quantity: 2, UnitPriceCents: 1250}, {SKU: "pen", Quantity: 3, UnitPriceCents: 0}}
	addr := app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	return app.NewOrder("order-1", userID, items, "EUR", addr, at)
}

func TestANewOrderIsPlacedTotalledAndRecordsOrderPlaced(t *testing.T) {
	o := placed()
	if o.Status != app.StatusPlaced || o.TotalCents != 2500 || !o.CreatedAt.Equal(at) {
		t.Errorf("new order %+v, want placed, 2500 cents, created at %v", o, at)
	}
	evs := o.Events()
	if len(evs) != 1 {
		t.Fatalf("events %+v, want one OrderPlaced", evs)
	}
	if e, ok := evs[0].(app.OrderPlaced); !ok || e.Order.ID != o.ID || e.Order.TotalCents != 2500 || len(e.Order.Events()) != 0 {
		t.Errorf("event %+v, want OrderPlaced of the order as placed", evs[0])
	}
}

func TestOnlyAPlacedOrderCanBeCancelledAndOnlyOnce(t *testing.T) {
	o := placed()
	later := at.Add(time.Hour)
	if err := o.Cancel(app.ReasonCustomerRequest, later); err != nil {
		t.Fatal(err)
	}
	if o.Status != app.StatusCancelled || !o.UpdatedAt.Equal(later) || o.CanCancel() {
		t.Errorf("cancelled order %+v", o)
	}
	want := app.OrderCancelled{OrderID: o.ID, UserID: userID, Reason: app.ReasonCustomerRequest, At: later}
	if evs := o.Events(); len(evs) != 2 || evs[1] != want {
		t.Errorf("events %+v, want OrderPlaced then %+v", evs, want)
	}
	if err := o.Cancel(app.ReasonUserDeleted, later); apperror.KindOf(err) != apperror.Conflict {
		t.Errorf("second cancel: %v, want a conflict", err)
	}
	if n := len(o.Events()); n != 2 {
		t.Errorf("a refused cancel recorded an event: %d events", n)
	}
}

func TestTheTotalIsTheSumOfQuantityTimesUnitPrice(t *testing.T) {
	tests := []struct {
		name  string
		items []app.Item
		want  int64
	}{
		{"no items", nil, 0},
		{"a free item", []app.Item{{SKU: "gift", Quantity: 5}}, 0},
		{"several lines", []app.Item{{Quantity: 2, UnitPriceCents: 150}, {Quantity: 1, UnitPriceCents: 99}}, 399},
		{"every line at its limits", []app.Item{{Quantity: app.MaxQuantity, UnitPriceCents: app.MaxUnitPriceCents}}, 1_000_000_000_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := app.Total(tc.items); got != tc.want {
				t.Errorf("Total = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestTheReplicaKeepsTheNewestAddress(t *testing.T) {
	first := app.Address{Line1: "first"}
	second := app.Address{Line1: "second"}
	tests := []struct {
		name    string
		held    app.Replica
		at      time.Time
		changed bool
		want    string
	}{
		{"the first address arrives", app.Replica{}, at, true, "second"},
		{"a newer address replaces the held one", app.Replica{Held: true, Address: first, UpdatedAt: at}, at.Add(time.Nanosecond), true, "second"},
		{"an address of the same instant replaces the held one", app.Replica{Held: true, Address: first, UpdatedAt: at}, at, true, "second"},
		{"an older address delivered late is not kept", app.Replica{Held: true, Address: first, UpdatedAt: at}, at.Add(-time.Millisecond), false, "first"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.held
			if changed := r.Update(second, tc.at); changed != tc.changed || r.Address.Line1 != tc.want || !r.Held {
				t.Errorf("Update = %v, replica %+v; want %v and the %q address", changed, r, tc.changed, tc.want)
			}
		})
	}
}

func TestAnErasedAddressKeepsOnlyTheCountry(t *testing.T) {
	a := app.Address{Line1: "3 Given Street", Line2: "Flat 4", City: "Hamburg", PostalCode: "20095", Country: "DE"}
	want := app.Address{Line1: app.ErasedText, City: app.ErasedText, PostalCode: app.ErasedText, Country: "DE"}
	if got := a.Erased(); got != want {
		t.Errorf("Erased = %+v, want %+v", got, want)
	}
}
