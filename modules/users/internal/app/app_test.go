package app_test

import (
	"context"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/modules/users/internal/store"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
)

// newService returns the users use cases on a temporary database of their own.
func newService(t *testing.T) (*app.Service, *sqldb.DB) {
	t.Helper()
	db := messagingtest.OpenDB(t, migrations.Of("users"))
	tokens, err := auth.NewTokens([]byte("test-secret-test-secret-test-secret-0123"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(store.New(db, messagingtest.Outbox(t, "users")), tokens, 4)
	if err != nil {
		t.Fatal(err)
	}
	return svc, db
}

func register(t *testing.T, svc *app.Service, email string) app.User {
	t.Helper()
	u, err := svc.Register(context.Background(), app.Register{Email: email, Password: "correct horse", Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRegisteringPublishesUserRegistered(t *testing.T) {
	svc, db := newService(t)
	u := register(t, svc, " Ada@Example.COM ")

	if u.Email != "ada@example.com" {
		t.Errorf("e-mail stored as %q, want it trimmed and lower-cased", u.Email)
	}
	published := messagingtest.Published(t, db, events.Contracts)
	if len(published) != 1 || published[0].Topic != events.TopicUserRegistered {
		t.Fatalf("published %+v, want one %s", published, events.TopicUserRegistered)
	}
	var e events.UserRegistered
	published[0].Decode(t, &e)
	if e.UserID != u.ID || e.Email != u.Email || !e.RegisteredAt.Equal(u.CreatedAt) {
		t.Errorf("event %+v does not describe %+v", e, u)
	}
}

func TestATakenEmailIsAConflictAndPublishesNothing(t *testing.T) {
	svc, db := newService(t)
	register(t, svc, "ada@example.com")
	messagingtest.Published(t, db, events.Contracts)

	_, err := svc.Register(context.Background(), app.Register{Email: "ADA@example.com", Password: "another one", Name: "Eve"})
	if apperror.KindOf(err) != apperror.Conflict {
		t.Fatalf("err = %v, want a conflict", err)
	}
	if published := messagingtest.Published(t, db, events.Contracts); len(published) != 0 {
		t.Errorf("a refused sign-up published %+v", published)
	}
}

func TestSettingAnAddressPublishesTheNormalisedAddress(t *testing.T) {
	svc, db := newService(t)
	u := register(t, svc, "ada@example.com")
	messagingtest.Published(t, db, events.Contracts)

	got, err := svc.SetAddress(context.Background(), u.ID, app.Address{Line1: " 1 Main St ", City: "Berlin", PostalCode: "10115", Country: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Address == nil || got.Address.Line1 != "1 Main St" || got.Address.Country != "DE" {
		t.Fatalf("address %+v, want it trimmed with an upper-case country", got.Address)
	}
	published := messagingtest.Published(t, db, events.Contracts)
	if len(published) != 1 || published[0].Topic != events.TopicUserAddressUpdated {
		t.Fatalf("published %+v", published)
	}
	var e events.UserAddressUpdated
	published[0].Decode(t, &e)
	if e.UserID != u.ID || e.Address != events.Address(*got.Address) {
		t.Errorf("event %+v, want the stored address %+v", e, *got.Address)
	}
}

func TestAMissingAccountIsNotFoundButABrokenDatabaseIsNot(t *testing.T) {
	svc, db := newService(t)
	ctx := context.Background()
	addr := app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}

	if _, err := svc.Me(ctx, "0190a0b2-7c3e-7000-8000-00000000dead"); apperror.KindOf(err) != apperror.NotFound {
		t.Errorf("Me of a missing account: %v, want not found", err)
	}
	if _, err := svc.SetAddress(ctx, "0190a0b2-7c3e-7000-8000-00000000dead", addr); apperror.KindOf(err) != apperror.NotFound {
		t.Errorf("SetAddress of a missing account: %v, want not found", err)
	}

	u := register(t, svc, "ada@example.com")
	db.Close()
	if _, err := svc.Me(ctx, u.ID); err == nil || apperror.KindOf(err) != apperror.Internal {
		t.Errorf("Me on a closed database: %v, want an internal error", err)
	}
	if err := svc.Delete(ctx, u.ID); err == nil || apperror.KindOf(err) != apperror.Internal {
		t.Errorf("Delete on a closed database: %v, want an internal error", err)
	}
}

func TestDeletingAnAccountPublishesUserDeleted(t *testing.T) {
	svc, db := newService(t)
	u := register(t, svc, "ada@example.com")
	messagingtest.Published(t, db, events.Contracts)

	if err := svc.Delete(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	published := messagingtest.Published(t, db, events.Contracts)
	if len(published) != 1 || published[0].Topic != events.TopicUserDeleted {
		t.Fatalf("published %+v", published)
	}
	if _, err := svc.Login(context.Background(), "ada@example.com", "correct horse"); apperror.KindOf(err) != apperror.Unauthorized {
		t.Errorf("login after deletion: %v, want unauthorized", err)
	}
}
