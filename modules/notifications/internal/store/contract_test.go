package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/modules/notifications/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

var (
	at  = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)
	ada = app.Contact{Email: "ada@example.com", Name: "Ada"}
	bob = app.Contact{Email: "bob@example.com", Name: "Bob"}
)

// fixture is a notifications store and the database under it.
type fixture struct {
	s   *store.Store
	db  *sqldb.DB
	ctx context.Context
}

// inProcessor runs apply on userID's recipient as an event handler does: in
// a transaction of the module's database, through the Store's Consume.
func (f fixture) inProcessor(userID string, apply func(context.Context, app.Recipient) error) error {
	h := f.s.Consume([]app.EventHandler{{Topic: "test", Apply: func(ctx context.Context, rs app.Recipients, _ messaging.Event) error {
		r, err := rs.Lock(ctx, userID)
		if err != nil {
			return err
		}
		return apply(ctx, r)
	}}})[0]
	return f.db.InTx(f.ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		return h.Apply(ctx, tx, messaging.Event{})
	})
}

// notify stores, in one handler's transaction, userID's contact c and a
// notification of event "e-"+body saying body.
func (f fixture) notify(t *testing.T, userID string, c app.Contact, body string) {
	t.Helper()
	err := f.inProcessor(userID, func(ctx context.Context, r app.Recipient) error {
		if err := r.SaveContact(ctx, c); err != nil {
			return err
		}
		return r.AddNotification(ctx, app.OrderCancelled(body).To(userID, "e-"+body, at))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// events returns the event ids of userID's notifications, newest first.
func (f fixture) events(t *testing.T, userID string) []string {
	t.Helper()
	ns, err := f.s.Notifications(f.ctx, userID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.EventID)
	}
	return out
}

func (f fixture) erase(t *testing.T, userID string) {
	t.Helper()
	if err := f.inProcessor(userID, func(ctx context.Context, r app.Recipient) error { return r.Erase(ctx, at) }); err != nil {
		t.Fatal(err)
	}
}

// The notifications store keeps the Store port's contract on every engine.
func TestTheStoreKeepsItsContract(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f fixture)
	}{
		{"notifications page newest first, each with its recipient's contact", testPages},
		{"a user unknown to the module has no notifications and is not deleted", testUnknownUser},
		{"a changed contact shows on the user's notifications", testContactChanges},
		{"a second notification of one event is refused, the first kept", testOneNotificationPerEvent},
		{"a handler that fails stores nothing", testFailedHandler},
		{"erasure keeps a tombstone only, and late events store nothing", testErase},
	}
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					db := sqldbtest.Open(t, engine, "notifications", append(messaging.Schema(), migrations.Of("notifications"))...)
					tc.run(t, fixture{s: store.New(db), db: db, ctx: context.Background()})
				})
			}
		})
	}
}

func testPages(t *testing.T, f fixture) {
	f.notify(t, "u1", ada, "o1")
	f.notify(t, "u1", ada, "o2")
	f.notify(t, "u2", bob, "o3")
	f.notify(t, "u1", ada, "o4")
	first, err := f.s.Notifications(f.ctx, "u1", 0, 2)
	if err != nil || len(first) != 2 || first[0].EventID != "e-o4" || first[1].EventID != "e-o2" || first[0].Seq <= first[1].Seq {
		t.Fatalf("the first page %+v (err %v), want o4 then o2", first, err)
	}
	n := first[0]
	if n.UserID != "u1" || n.Email != ada.Email || n.Name != ada.Name || !n.CreatedAt.Equal(at) ||
		n.Kind != app.KindOrderCancelled || n.Subject == "" || n.Body == "" || n.ID == "" {
		t.Errorf("read back %+v", n)
	}
	next, err := f.s.Notifications(f.ctx, "u1", first[1].Seq, 2)
	if err != nil || len(next) != 1 || next[0].EventID != "e-o1" {
		t.Errorf("the page before %d: %+v (err %v), want o1", first[1].Seq, next, err)
	}
}

func testUnknownUser(t *testing.T, f fixture) {
	f.notify(t, "u1", ada, "o1")
	if got := f.events(t, "nobody"); len(got) != 0 {
		t.Errorf("notifications %v, want none", got)
	}
	if deleted, err := f.s.RecipientDeleted(f.ctx, "nobody"); err != nil || deleted {
		t.Errorf("deleted: %v (err %v), want false", deleted, err)
	}
}

func testContactChanges(t *testing.T, f fixture) {
	f.notify(t, "u1", ada, "o1")
	renamed := app.Contact{Email: "ada@example.org", Name: "Ada L."}
	if err := f.inProcessor("u1", func(ctx context.Context, r app.Recipient) error { return r.SaveContact(ctx, renamed) }); err != nil {
		t.Fatal(err)
	}
	ns, err := f.s.Notifications(f.ctx, "u1", 0, 10)
	if err != nil || len(ns) != 1 || ns[0].Email != renamed.Email || ns[0].Name != renamed.Name {
		t.Errorf("after the change: %+v (err %v), want the new contact", ns, err)
	}
}

func testOneNotificationPerEvent(t *testing.T, f fixture) {
	f.notify(t, "u1", ada, "o1")
	err := f.inProcessor("u1", func(ctx context.Context, r app.Recipient) error {
		return r.AddNotification(ctx, app.OrderCancelled("again").To("u1", "e-o1", at))
	})
	if err == nil {
		t.Error("a second notification of event e-o1 was stored")
	}
	if ns, _ := f.s.Notifications(f.ctx, "u1", 0, 10); len(ns) != 1 || ns[0].Body == "again" {
		t.Errorf("notifications %+v, want the first only", ns)
	}
}

func testFailedHandler(t *testing.T, f fixture) {
	refused := errors.New("refused")
	err := f.inProcessor("u1", func(ctx context.Context, r app.Recipient) error {
		if err := r.SaveContact(ctx, ada); err != nil {
			return err
		}
		if err := r.AddNotification(ctx, app.OrderCancelled("o1").To("u1", "e-o1", at)); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("the handler's transaction: %v, want its error", err)
	}
	if got := f.events(t, "u1"); len(got) != 0 {
		t.Errorf("notifications %v, want none", got)
	}
	if traces := sqldbtest.Traces(t, f.db, ada.Email); len(traces) != 0 {
		t.Errorf("the contact of a failed handler is held: %q", traces)
	}
}

func testErase(t *testing.T, f fixture) {
	f.notify(t, "u1", ada, "o1")
	f.notify(t, "u1", ada, "o2")
	f.notify(t, "u2", bob, "o3")
	f.erase(t, "u1")
	f.notify(t, "u1", ada, "o4") // late events about the erased user
	if got := f.events(t, "u1"); len(got) != 0 {
		t.Errorf("an erased user has notifications %v", got)
	}
	if deleted, err := f.s.RecipientDeleted(f.ctx, "u1"); err != nil || !deleted {
		t.Errorf("u1 deleted: %v (err %v), want true", deleted, err)
	}
	if traces := sqldbtest.Traces(t, f.db, ada.Email, ada.Name); len(traces) != 0 {
		t.Errorf("the erased user's contact is still held: %q", traces)
	}
	if got := f.events(t, "u2"); !slices.Equal(got, []string{"e-o3"}) {
		t.Errorf("another user's notifications %v, want theirs, untouched", got)
	}
	if deleted, err := f.s.RecipientDeleted(f.ctx, "u2"); err != nil || deleted {
		t.Errorf("u2 deleted: %v (err %v), want false", deleted, err)
	}
	f.erase(t, "u1") // erasing again (a redelivered deletion) keeps the tombstone
	if deleted, err := f.s.RecipientDeleted(f.ctx, "u1"); err != nil || !deleted {
		t.Errorf("u1 deleted after a second erasure: %v (err %v), want true", deleted, err)
	}
}
