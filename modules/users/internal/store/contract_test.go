package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/modules/users/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// fixture is a store holding one registered user, whose registration was
// already published.
type fixture struct {
	s   *store.Store
	db  *sqldb.DB
	u   app.User
	ctx context.Context
}

// published returns the topics the store published since the last call.
func (f fixture) published(t *testing.T) []string {
	t.Helper()
	var topics []string
	for _, e := range messagingtest.Published(t, f.db, events.Contracts) {
		topics = append(topics, e.Topic)
	}
	return topics
}

var (
	registered = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)
	missing    = "0190a0b2-7c3e-7000-8000-00000000dead"
	berlin     = app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
)

// The users store keeps the Store port's contract on every engine.
func TestTheStoreKeepsItsContract(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f fixture)
	}{
		{"a registered user reads back by id and by e-mail, as registered", func(t *testing.T, f fixture) {
			for _, get := range []func() (app.User, error){
				func() (app.User, error) { return f.s.User(f.ctx, f.u.ID) },
				func() (app.User, error) { return f.s.ByEmail(f.ctx, f.u.Email) },
			} {
				got, err := get()
				if err != nil || got.ID != f.u.ID || got.Email != f.u.Email || got.Name != f.u.Name ||
					got.PasswordHash != "hash" || got.Address != nil || !got.CreatedAt.Equal(registered) || !got.UpdatedAt.Equal(registered) {
					t.Errorf("read back %+v (err %v), want %+v", got, err, f.u)
				}
			}
			if ok, err := f.s.Exists(f.ctx, f.u.ID); err != nil || !ok {
				t.Errorf("Exists: %v %v, want true", ok, err)
			}
		}},
		{"a taken e-mail is ErrEmailTaken and publishes nothing", func(t *testing.T, f fixture) {
			other := app.NewUser("0190a0b2-7c3e-7000-8000-000000000002", app.Register{Email: f.u.Email, Name: "Eve"}, "h", time.Now())
			if err := f.s.Register(f.ctx, other); !errors.Is(err, app.ErrEmailTaken) {
				t.Errorf("Register: %v, want ErrEmailTaken", err)
			}
			if got := f.published(t); len(got) != 0 {
				t.Errorf("published %v", got)
			}
		}},
		{"a missing user is not found, and no update runs", func(t *testing.T, f fixture) {
			if _, err := f.s.User(f.ctx, missing); !errors.Is(err, app.ErrNotFound) {
				t.Errorf("User: %v, want ErrNotFound", err)
			}
			if _, err := f.s.ByEmail(f.ctx, "nobody@example.com"); !errors.Is(err, app.ErrNotFound) {
				t.Errorf("ByEmail: %v, want ErrNotFound", err)
			}
			if ok, err := f.s.Exists(f.ctx, missing); err != nil || ok {
				t.Errorf("Exists: %v %v, want false", ok, err)
			}
			called := false
			if err := f.s.UpdateUser(f.ctx, missing, func(*app.User) error { called = true; return nil }); !errors.Is(err, app.ErrNotFound) || called {
				t.Errorf("UpdateUser: %v (update called: %v), want ErrNotFound", err, called)
			}
			if err := f.s.Delete(f.ctx, missing, func(u *app.User) error { return u.Delete(time.Now()) }); !errors.Is(err, app.ErrNotFound) {
				t.Errorf("Delete: %v, want ErrNotFound", err)
			}
		}},
		{"an update saves what it changed and publishes its events", func(t *testing.T, f fixture) {
			at := registered.Add(time.Hour)
			if err := f.s.UpdateUser(f.ctx, f.u.ID, func(u *app.User) error { return u.ChangeAddress(berlin, at) }); err != nil {
				t.Fatal(err)
			}
			got, err := f.s.User(f.ctx, f.u.ID)
			if err != nil || got.Address == nil || *got.Address != berlin || !got.UpdatedAt.Equal(at) || !got.CreatedAt.Equal(registered) {
				t.Errorf("after the update: %+v (err %v), want the address set at %s", got, err, at)
			}
			if got := f.published(t); !slices.Equal(got, []string{events.TopicUserAddressUpdated}) {
				t.Errorf("published %v", got)
			}
		}},
		{"a failed update saves nothing and publishes nothing", func(t *testing.T, f fixture) {
			refused := errors.New("refused")
			err := f.s.UpdateUser(f.ctx, f.u.ID, func(u *app.User) error {
				if err := u.ChangeAddress(berlin, time.Now()); err != nil {
					return err
				}
				return refused
			})
			if !errors.Is(err, refused) {
				t.Fatalf("UpdateUser: %v, want the update's error", err)
			}
			if got, err := f.s.User(f.ctx, f.u.ID); err != nil || got.Address != nil || !got.UpdatedAt.Equal(registered) {
				t.Errorf("after a failed update: %+v (err %v), want the user as registered", got, err)
			}
			if got := f.published(t); len(got) != 0 {
				t.Errorf("published %v", got)
			}
		}},
		{"a deletion erases the account, frees its e-mail and publishes it", func(t *testing.T, f fixture) {
			if err := f.s.Delete(f.ctx, f.u.ID, func(u *app.User) error { return u.Delete(time.Now()) }); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.User(f.ctx, f.u.ID); !errors.Is(err, app.ErrNotFound) {
				t.Errorf("User after Delete: %v, want ErrNotFound", err)
			}
			if got := f.published(t); !slices.Equal(got, []string{events.TopicUserDeleted}) {
				t.Errorf("published %v", got)
			}
			again := app.NewUser("0190a0b2-7c3e-7000-8000-000000000003", app.Register{Email: f.u.Email, Name: "Ada"}, "h", time.Now())
			if err := f.s.Register(f.ctx, again); err != nil {
				t.Errorf("registering the e-mail again: %v", err)
			}
		}},
		{"a deletion that leaves the account open erases nothing", func(t *testing.T, f fixture) {
			if err := f.s.Delete(f.ctx, f.u.ID, func(*app.User) error { return nil }); err == nil {
				t.Fatal("Delete without closing the account succeeded")
			}
			if ok, err := f.s.Exists(f.ctx, f.u.ID); err != nil || !ok {
				t.Errorf("the account is gone (%v, err %v)", ok, err)
			}
			if got := f.published(t); len(got) != 0 {
				t.Errorf("published %v", got)
			}
		}},
	}
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newFixture(t, engine)) })
			}
		})
	}
}

func newFixture(t *testing.T, engine sqldb.Dialect) fixture {
	t.Helper()
	db := sqldbtest.Open(t, engine, "users", append(messaging.Schema(), migrations.Of("users"))...)
	f := fixture{s: store.New(db, messagingtest.Outbox(t, "users")), db: db, ctx: context.Background()}
	f.u = app.NewUser("0190a0b2-7c3e-7000-8000-000000000001", app.Register{Email: "ada@example.com", Name: "Ada"}, "hash", registered)
	if err := f.s.Register(f.ctx, f.u); err != nil {
		t.Fatal(err)
	}
	if got := f.published(t); !slices.Equal(got, []string{events.TopicUserRegistered}) {
		t.Fatalf("Register published %v", got)
	}
	return f
}
