package store

import (
	"testing"
	"time"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/sqldb"
)

var at = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)

func TestAUserWithoutAnAddressIsARowOfNullAddressColumns(t *testing.T) {
	u := app.User{ID: "u1", Email: "ada@example.com", Name: "Ada", PasswordHash: "hash", CreatedAt: at, UpdatedAt: at}
	r := toRow(u)
	if r.Line1.Valid || r.Line2.Valid || r.City.Valid || r.PostalCode.Valid || r.Country.Valid {
		t.Errorf("row %+v, want every address column NULL", r)
	}
	if r.ID != "u1" || r.Email != u.Email || r.PasswordHash != "hash" || r.CreatedAt != sqldb.Time(at) || r.UpdatedAt != sqldb.Time(at) {
		t.Errorf("row %+v", r)
	}
	if back := toUser(r); back.Address != nil || back.ID != "u1" || back.Name != "Ada" || !back.CreatedAt.Equal(at) {
		t.Errorf("reads back as %+v", back)
	}
}

func TestAnAddressIsStoredAsFiveColumnsAndReadsBackAsWritten(t *testing.T) {
	for _, a := range []app.Address{
		{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
		{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"},
	} {
		later := at.Add(time.Hour)
		r := toRow(app.User{ID: "u1", Address: &a, CreatedAt: at, UpdatedAt: later})
		// An empty second line is stored empty, not NULL, as releases
		// before the store owned its format wrote it.
		if !r.Line2.Valid || r.Line2.String != a.Line2 || r.Country.String != "DE" || r.UpdatedAt != sqldb.Time(later) {
			t.Errorf("row %+v of %+v", r, a)
		}
		got := toUser(r)
		if got.Address == nil || *got.Address != a || !got.UpdatedAt.Equal(later) {
			t.Errorf("%+v reads back as %+v", a, got.Address)
		}
	}
}

func TestDomainEventsMapToTheirContracts(t *testing.T) {
	u := app.NewUser("u1", app.Register{Email: "ada@example.com", Name: "Ada"}, "hash", at)
	topic, payload, err := toPublished(u.Events()[0])
	want := events.UserRegistered{UserID: "u1", Email: "ada@example.com", Name: "Ada", RegisteredAt: at}
	if err != nil || topic != events.TopicUserRegistered || payload != want {
		t.Errorf("UserRegistered maps to %s %+v (err %v)", topic, payload, err)
	}
	a := app.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"}
	topic, payload, err = toPublished(app.UserAddressUpdated{UserID: "u1", Address: a, At: at})
	wantAddr := events.UserAddressUpdated{UserID: "u1", UpdatedAt: at,
		Address: events.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"}}
	if err != nil || topic != events.TopicUserAddressUpdated || payload != wantAddr {
		t.Errorf("UserAddressUpdated maps to %s %+v (err %v)", topic, payload, err)
	}
	topic, payload, err = toPublished(app.UserDeleted{UserID: "u1", At: at})
	if err != nil || topic != events.TopicUserDeleted || payload != (events.UserDeleted{UserID: "u1", DeletedAt: at}) {
		t.Errorf("UserDeleted maps to %s %+v (err %v)", topic, payload, err)
	}
}
