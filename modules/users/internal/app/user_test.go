package app_test

import (
	"errors"
	"testing"
	"time"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/apperror"
)

var at = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func opened() app.User {
	return app.NewUser("user-1", app.Register{Email: "ada@example.com", Password: "correct horse", Name: "Ada"}, "hash", at)
}

func TestANewUserIsOpenedWithoutAnAddressAndRecordsUserRegistered(t *testing.T) {
	u := opened()
	if u.ID != "user-1" || u.Email != "ada@example.com" || u.PasswordHash != "hash" || u.Address != nil ||
		!u.CreatedAt.Equal(at) || !u.UpdatedAt.Equal(at) || u.Deleted() {
		t.Errorf("new user %+v", u)
	}
	evs := u.Events()
	if len(evs) != 1 {
		t.Fatalf("events %+v, want one UserRegistered", evs)
	}
	if e, ok := evs[0].(app.UserRegistered); !ok || e.User.ID != u.ID || e.User.Email != u.Email || len(e.User.Events()) != 0 {
		t.Errorf("event %+v, want UserRegistered of the account as opened", evs[0])
	}
}

func TestChangingTheAddressNormalisesItAndRecordsUserAddressUpdated(t *testing.T) {
	u := opened()
	later := at.Add(time.Hour)
	if err := u.ChangeAddress(app.Address{Line1: " 1 Main St ", City: "Berlin", PostalCode: "10115", Country: " de"}, later); err != nil {
		t.Fatal(err)
	}
	want := app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	if u.Address == nil || *u.Address != want || !u.UpdatedAt.Equal(later) {
		t.Errorf("user %+v, address %+v; want %+v as of %v", u, u.Address, want, later)
	}
	e := app.UserAddressUpdated{UserID: u.ID, Address: want, At: later}
	if evs := u.Events(); len(evs) != 2 || evs[1] != e {
		t.Errorf("events %+v, want UserRegistered then %+v", evs, e)
	}
}

func TestAnInvalidAddressChangesNothing(t *testing.T) {
	tests := []struct {
		name  string
		addr  app.Address
		field string
	}{
		{"no first line", app.Address{City: "Berlin", PostalCode: "10115", Country: "DE"}, "line1"},
		{"no country code", app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "Germany"}, "country"},
		{"a control character", app.Address{Line1: "1 Main St", City: "Ber\x00lin", PostalCode: "10115", Country: "DE"}, "city"},
		{"a postal code too long", app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "101151011510115101151", Country: "DE"}, "postal_code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := opened()
			err := u.ChangeAddress(tc.addr, at)
			var e *apperror.Error
			if !errors.As(err, &e) || e.Kind != apperror.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
				t.Errorf("err = %v, want %s invalid", err, tc.field)
			}
			if u.Address != nil || len(u.Events()) != 1 {
				t.Errorf("a refused address changed the user: %+v", u)
			}
		})
	}
}

func TestAClosedAccountIsGoneAndRecordsUserDeletedOnce(t *testing.T) {
	u := opened()
	later := at.Add(time.Hour)
	if err := u.Delete(later); err != nil {
		t.Fatal(err)
	}
	want := app.UserDeleted{UserID: u.ID, At: later}
	if evs := u.Events(); !u.Deleted() || len(evs) != 2 || evs[1] != want {
		t.Errorf("deleted %v, events %+v; want %+v", u.Deleted(), evs, want)
	}
	if err := u.Delete(later); apperror.KindOf(err) != apperror.NotFound {
		t.Errorf("second delete: %v, want not found", err)
	}
	addr := app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	if err := u.ChangeAddress(addr, later); apperror.KindOf(err) != apperror.NotFound {
		t.Errorf("an address for a closed account: %v, want not found", err)
	}
	if n := len(u.Events()); n != 2 {
		t.Errorf("refused changes recorded events: %d events", n)
	}
}
