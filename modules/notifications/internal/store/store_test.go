package store_test

import (
	"context"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/modules/notifications/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

var at = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)

// inProcessor runs apply as an event handler does: in a transaction of the
// module's database, through the Store's Consume.
func inProcessor(t *testing.T, db *sqldb.DB, s *store.Store, apply func(context.Context, app.Recipients) error) {
	t.Helper()
	h := s.Consume([]app.EventHandler{{Topic: "test", Apply: func(ctx context.Context, r app.Recipients, _ messaging.Event) error {
		return apply(ctx, r)
	}}})[0]
	err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		return h.Apply(ctx, tx, messaging.Event{})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// notify stores, in one handler's transaction, userID's contact c and a
// notification saying body.
func notify(t *testing.T, db *sqldb.DB, s *store.Store, userID string, c app.Contact, body string) {
	t.Helper()
	inProcessor(t, db, s, func(ctx context.Context, rs app.Recipients) error {
		r, err := rs.Lock(ctx, userID)
		if err == nil {
			err = r.SaveContact(ctx, c)
		}
		if err == nil {
			err = r.AddNotification(ctx, app.OrderCancelled(body).To(userID, "e-"+body, at))
		}
		return err
	})
}

func TestTheStoreKeepsNotificationsUntilTheRecipientIsErased(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) { testStore(t, engine) })
	}
}

func testStore(t *testing.T, engine sqldb.Dialect) {
	ctx := context.Background()
	db := sqldbtest.Open(t, engine, "notifications", append(messaging.Schema(), migrations.Of("notifications"))...)
	s := store.New(db)
	ada, bob := app.Contact{Email: "ada@example.com", Name: "Ada"}, app.Contact{Email: "bob@example.com", Name: "Bob"}
	notify(t, db, s, "u1", ada, "o1")
	notify(t, db, s, "u1", ada, "o2")
	notify(t, db, s, "u2", bob, "o3")

	ns, err := s.Notifications(ctx, "u1", 0, 10)
	if err != nil || len(ns) != 2 || ns[0].EventID != "e-o2" || ns[1].EventID != "e-o1" || ns[0].Seq <= ns[1].Seq {
		t.Fatalf("u1's notifications %+v (err %v), want o2 then o1", ns, err)
	}
	if n := ns[0]; n.Email != ada.Email || n.Name != ada.Name || !n.CreatedAt.Equal(at) || n.Kind != app.KindOrderCancelled {
		t.Errorf("read back %+v", n)
	}
	if older, err := s.Notifications(ctx, "u1", ns[0].Seq, 10); err != nil || len(older) != 1 || older[0].ID != ns[1].ID {
		t.Errorf("the page before %d: %+v (err %v)", ns[0].Seq, older, err)
	}

	inProcessor(t, db, s, func(ctx context.Context, rs app.Recipients) error {
		r, err := rs.Lock(ctx, "u1")
		if err != nil {
			return err
		}
		return r.Erase(ctx, at)
	})
	notify(t, db, s, "u1", ada, "o4") // late events about the erased user

	if ns, err := s.Notifications(ctx, "u1", 0, 10); err != nil || len(ns) != 0 {
		t.Errorf("an erased user has notifications %+v (err %v)", ns, err)
	}
	if deleted, err := s.RecipientDeleted(ctx, "u1"); err != nil || !deleted {
		t.Errorf("u1 deleted: %v (err %v), want true", deleted, err)
	}
	if traces := sqldbtest.Traces(t, db, "ada@example.com", "Ada"); len(traces) != 0 {
		t.Errorf("the erased user's contact is still held: %q", traces)
	}
	if ns, err := s.Notifications(ctx, "u2", 0, 10); err != nil || len(ns) != 1 || ns[0].Email != bob.Email {
		t.Errorf("another user's notifications %+v (err %v), want theirs, untouched", ns, err)
	}
	if deleted, err := s.RecipientDeleted(ctx, "u2"); err != nil || deleted {
		t.Errorf("u2 deleted: %v (err %v), want false", deleted, err)
	}
}
