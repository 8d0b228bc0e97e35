package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/modules/users/internal/store"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
)

func newStore(t *testing.T) (*store.Store, *sqldb.DB, app.User) {
	t.Helper()
	db := messagingtest.OpenDB(t, migrations.Of("users"))
	s := store.New(db, messagingtest.Outbox(t, "users"))
	u := app.NewUser("0190a0b2-7c3e-7000-8000-000000000001", app.Register{Email: "ada@example.com", Name: "Ada"}, "hash",
		time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	if err := s.Register(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	messagingtest.Published(t, db, events.Contracts)
	return s, db, u
}

func TestAFailedUpdateSavesNothingAndPublishesNothing(t *testing.T) {
	s, db, u := newStore(t)
	ctx := context.Background()
	refused := errors.New("refused")
	err := s.UpdateUser(ctx, u.ID, func(u *app.User) error {
		if err := u.ChangeAddress(app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}, time.Now()); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("UpdateUser: %v, want the update's error", err)
	}
	if got, err := s.User(ctx, u.ID); err != nil || got.Address != nil || !got.UpdatedAt.Equal(u.UpdatedAt) {
		t.Errorf("after a failed update: %+v (err %v), want the user as registered", got, err)
	}
	if published := messagingtest.Published(t, db, events.Contracts); len(published) != 0 {
		t.Errorf("a failed update published %+v", published)
	}
}

func TestADeletionThatLeavesTheAccountOpenErasesNothing(t *testing.T) {
	s, db, u := newStore(t)
	ctx := context.Background()
	if err := s.Delete(ctx, u.ID, func(*app.User) error { return nil }); err == nil {
		t.Fatal("Delete without closing the account succeeded")
	}
	if ok, err := s.Exists(ctx, u.ID); err != nil || !ok {
		t.Errorf("the account is gone (%v, err %v)", ok, err)
	}
	if published := messagingtest.Published(t, db, events.Contracts); len(published) != 0 {
		t.Errorf("a refused deletion published %+v", published)
	}
}

func TestAMissingUserIsNotFound(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	missing := "0190a0b2-7c3e-7000-8000-00000000dead"
	called := false
	if err := s.UpdateUser(ctx, missing, func(*app.User) error { called = true; return nil }); !errors.Is(err, app.ErrNotFound) || called {
		t.Errorf("UpdateUser of a missing user: %v (update called: %v), want ErrNotFound", err, called)
	}
	if err := s.Delete(ctx, missing, func(u *app.User) error { return u.Delete(time.Now()) }); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("Delete of a missing user: %v, want ErrNotFound", err)
	}
	if _, err := s.ByEmail(ctx, "nobody@example.com"); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("ByEmail of a missing user: %v, want ErrNotFound", err)
	}
}
