package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/modules/orders/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// fixture is an orders store and the database under it.
type fixture struct {
	s   *store.Store
	db  *sqldb.DB
	ctx context.Context
}

const (
	ada = "0190a0b2-7c3e-7000-8000-00000000000a"
	bob = "0190a0b2-7c3e-7000-8000-00000000000b"
)

var (
	placedAt = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)
	berlin   = app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	items    = []app.Item{{SKU: "BOOK-1", Quantity: 2, UnitPriceCents: 1299}}
)

// published returns the topics the store published since the last call.
func (f fixture) published(t *testing.T) []string {
	t.Helper()
	var topics []string
	for _, e := range messagingtest.Published(t, f.db, events.Contracts) {
		topics = append(topics, e.Topic)
	}
	return topics
}

// place adds order id of userID, under key if not empty.
func (f fixture) place(t *testing.T, userID, id, key string) (app.Order, error) {
	t.Helper()
	o := app.NewOrder(id, userID, items, "EUR", berlin, placedAt)
	err := f.s.UpdateUser(f.ctx, userID, func(ctx context.Context, u app.User) error {
		return u.AddOrder(ctx, o, key, app.IdempotentResult{RequestHash: "h-" + id, Order: o})
	})
	return o, err
}

func (f fixture) mustPlace(t *testing.T, userID, id string) app.Order {
	t.Helper()
	o, err := f.place(t, userID, id, "")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// inUser runs do on userID's data in a write transaction.
func (f fixture) inUser(t *testing.T, userID string, do func(ctx context.Context, u app.User) error) {
	t.Helper()
	if err := f.s.UpdateUser(f.ctx, userID, do); err != nil {
		t.Fatal(err)
	}
}

func ids(orders []app.Order) []string {
	var out []string
	for _, o := range orders {
		out = append(out, o.ID)
	}
	return out
}

// The orders store keeps the Store port's contract on every engine.
func TestTheStoreKeepsItsContract(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f fixture)
	}{
		{"a placed order reads back as placed, to its user only", testPlacedOrderReadsBack},
		{"a user's orders page newest first", testOrdersPage},
		{"an update saves the order and publishes its events; a failed or missing one saves nothing", testUpdateOrder},
		{"an Idempotency-Key keeps its first result, once, until forgotten", testIdempotencyKeys},
		{"the address replica reads back as saved", testReplica},
		{"a deleted user's orders are refused, the open ones listed and saved", testDeletedUser},
		{"erasure replaces every shipping address and forgets the replica and the keys", testErase},
		{"an event handler works in the processor's transaction: its failure saves nothing", testConsume},
	}
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					db := sqldbtest.Open(t, engine, "orders", append(messaging.Schema(), migrations.Of("orders"))...)
					tc.run(t, fixture{s: store.New(db, messagingtest.Outbox(t, "orders")), db: db, ctx: context.Background()})
				})
			}
		})
	}
}

func testPlacedOrderReadsBack(t *testing.T, f fixture) {
	o := f.mustPlace(t, ada, "o1")
	if got := f.published(t); !slices.Equal(got, []string{events.TopicOrderPlaced}) {
		t.Errorf("published %v", got)
	}
	got, err := f.s.Order(f.ctx, ada, "o1")
	if err != nil || got.ID != o.ID || got.UserID != ada || got.Status != app.StatusPlaced || !slices.Equal(got.Items, items) ||
		got.TotalCents != 2598 || got.Currency != "EUR" || got.ShippingAddress != berlin ||
		!got.CreatedAt.Equal(placedAt) || !got.UpdatedAt.Equal(placedAt) || got.Seq == 0 {
		t.Errorf("Order: %+v (err %v), want %+v", got, err, o)
	}
	if _, err := f.s.Order(f.ctx, bob, "o1"); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("another user's order: %v, want ErrNotFound", err)
	}
	if _, err := f.s.Order(f.ctx, ada, "missing"); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("a missing order: %v, want ErrNotFound", err)
	}
}

func testOrdersPage(t *testing.T, f fixture) {
	for _, id := range []string{"o1", "o2", "o3"} {
		f.mustPlace(t, ada, id)
	}
	f.mustPlace(t, bob, "b1")
	first, err := f.s.Orders(f.ctx, ada, 0, 2)
	if err != nil || !slices.Equal(ids(first), []string{"o3", "o2"}) {
		t.Fatalf("first page: %v (err %v), want o3 o2", ids(first), err)
	}
	next, err := f.s.Orders(f.ctx, ada, first[1].Seq, 2)
	if err != nil || !slices.Equal(ids(next), []string{"o1"}) {
		t.Errorf("next page: %v (err %v), want o1", ids(next), err)
	}
	if none, err := f.s.Orders(f.ctx, "nobody", 0, 2); err != nil || len(none) != 0 {
		t.Errorf("a user without orders: %v (err %v), want none", ids(none), err)
	}
}

func testUpdateOrder(t *testing.T, f fixture) {
	f.mustPlace(t, ada, "o1")
	f.published(t)
	cancelAt := placedAt.Add(time.Hour)
	refused := errors.New("refused")
	err := f.s.UpdateOrder(f.ctx, ada, "o1", func(o *app.Order) error {
		_ = o.Cancel(app.ReasonCustomerRequest, cancelAt)
		return refused
	})
	if got, _ := f.s.Order(f.ctx, ada, "o1"); !errors.Is(err, refused) || got.Status != app.StatusPlaced || len(f.published(t)) != 0 {
		t.Errorf("a failed update: %v, status %s; want the update's error, the order placed and nothing published", err, got.Status)
	}
	called := false
	if err := f.s.UpdateOrder(f.ctx, bob, "o1", func(*app.Order) error { called = true; return nil }); !errors.Is(err, app.ErrNotFound) || called {
		t.Errorf("another user's order: %v (update called: %v), want ErrNotFound", err, called)
	}
	if err := f.s.UpdateOrder(f.ctx, ada, "o1", func(o *app.Order) error { return o.Cancel(app.ReasonCustomerRequest, cancelAt) }); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Order(f.ctx, ada, "o1")
	if err != nil || got.Status != app.StatusCancelled || !got.UpdatedAt.Equal(cancelAt) || !got.CreatedAt.Equal(placedAt) {
		t.Errorf("after cancelling: %+v (err %v)", got, err)
	}
	if got := f.published(t); !slices.Equal(got, []string{events.TopicOrderCancelled}) {
		t.Errorf("published %v", got)
	}
}

func testIdempotencyKeys(t *testing.T, f fixture) {
	o, err := f.place(t, ada, "o1", "k1")
	if err != nil {
		t.Fatal(err)
	}
	f.inUser(t, ada, func(ctx context.Context, u app.User) error {
		r, err := u.IdempotentResult(ctx, "k1")
		if err != nil || r.RequestHash != "h-o1" || r.Order.ID != o.ID || !r.Order.CreatedAt.Equal(placedAt) {
			t.Errorf("the key's result: %+v (err %v)", r, err)
		}
		if _, err := u.IdempotentResult(ctx, "k2"); !errors.Is(err, app.ErrNotFound) {
			t.Errorf("an unknown key: %v, want ErrNotFound", err)
		}
		return nil
	})
	if _, err := f.place(t, ada, "o2", "k1"); !errors.Is(err, app.ErrKeyTaken) {
		t.Errorf("a key taken: %v, want ErrKeyTaken", err)
	}
	if _, err := f.s.Order(f.ctx, ada, "o2"); !errors.Is(err, app.ErrNotFound) {
		t.Errorf("the order of a taken key was stored: %v", err)
	}
	// A key is as old as its order.
	if n, err := f.s.ForgetIdempotencyKeys(f.ctx, placedAt); err != nil || n != 0 {
		t.Errorf("forgetting keys older than the order: %d %v, want 0", n, err)
	}
	if n, err := f.s.ForgetIdempotencyKeys(f.ctx, placedAt.Add(time.Nanosecond)); err != nil || n != 1 {
		t.Errorf("forgetting keys older than just after the order: %d %v, want 1", n, err)
	}
	f.inUser(t, ada, func(ctx context.Context, u app.User) error {
		if _, err := u.IdempotentResult(ctx, "k1"); !errors.Is(err, app.ErrNotFound) {
			t.Errorf("a forgotten key: %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testReplica(t *testing.T, f fixture) {
	at := placedAt.Add(time.Minute)
	f.inUser(t, ada, func(ctx context.Context, u app.User) error {
		if r, err := u.Replica(ctx); err != nil || r.Held {
			t.Errorf("before any address: %+v (err %v), want none held", r, err)
		}
		return u.SaveReplica(ctx, app.Replica{Held: true, Address: berlin, UpdatedAt: at})
	})
	f.inUser(t, ada, func(ctx context.Context, u app.User) error {
		if r, err := u.Replica(ctx); err != nil || !r.Held || r.Address != berlin || !r.UpdatedAt.Equal(at) {
			t.Errorf("the replica: %+v (err %v), want berlin as of %s", r, err, at)
		}
		return nil
	})
}

func testDeletedUser(t *testing.T, f fixture) {
	f.mustPlace(t, ada, "o1")
	f.mustPlace(t, ada, "o2")
	if err := f.s.UpdateOrder(f.ctx, ada, "o1", func(o *app.Order) error { return o.Cancel(app.ReasonCustomerRequest, placedAt) }); err != nil {
		t.Fatal(err)
	}
	f.published(t)
	f.inUser(t, ada, func(ctx context.Context, u app.User) error {
		if err := u.MarkDeleted(ctx, placedAt); err != nil {
			return err
		}
		open, err := u.OpenOrders(ctx)
		if err != nil || !slices.Equal(ids(open), []string{"o2"}) {
			t.Errorf("open orders: %v (err %v), want o2", ids(open), err)
		}
		o := open[0]
		if err := o.Cancel(app.ReasonUserDeleted, placedAt); err != nil {
			return err
		}
		return u.SaveOrder(ctx, o)
	})
	if got := f.published(t); !slices.Equal(got, []string{events.TopicOrderCancelled}) {
		t.Errorf("published %v", got)
	}
	if deleted, err := f.s.UserDeleted(f.ctx, ada); err != nil || !deleted {
		t.Errorf("UserDeleted: %v %v, want true", deleted, err)
	}
	if deleted, err := f.s.UserDeleted(f.ctx, bob); err != nil || deleted {
		t.Errorf("UserDeleted of another: %v %v, want false", deleted, err)
	}
	if _, err := f.place(t, ada, "o3", ""); !errors.Is(err, app.ErrUserDeleted) {
		t.Errorf("an order of a deleted user: %v, want ErrUserDeleted", err)
	}
	if got := f.published(t); len(got) != 0 {
		t.Errorf("a refused order published %v", got)
	}
}

func testErase(t *testing.T, f fixture) {
	if _, err := f.place(t, ada, "o1", "k1"); err != nil {
		t.Fatal(err)
	}
	f.mustPlace(t, bob, "b1")
	erased := app.Address{Line1: "(erased)", City: "(erased)", PostalCode: "(erased)", Country: "DE"}
	f.inUser(t, ada, func(ctx context.Context, u app.User) error {
		if err := u.SaveReplica(ctx, app.Replica{Held: true, Address: berlin, UpdatedAt: placedAt}); err != nil {
			return err
		}
		return u.Erase(ctx, func(a app.Address) app.Address { return erased })
	})
	if o, err := f.s.Order(f.ctx, ada, "o1"); err != nil || o.ShippingAddress != erased || o.TotalCents != 2598 {
		t.Errorf("the erased user's order: %+v (err %v), want its address erased, the rest kept", o, err)
	}
	if o, err := f.s.Order(f.ctx, bob, "b1"); err != nil || o.ShippingAddress != berlin {
		t.Errorf("another user's order: %+v (err %v), want it untouched", o, err)
	}
	f.inUser(t, ada, func(ctx context.Context, u app.User) error {
		if r, err := u.Replica(ctx); err != nil || r.Held {
			t.Errorf("the replica after erasure: %+v (err %v), want none", r, err)
		}
		if _, err := u.IdempotentResult(ctx, "k1"); !errors.Is(err, app.ErrNotFound) {
			t.Errorf("the key after erasure: %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testConsume(t *testing.T, f fixture) {
	refused := errors.New("refused")
	apply := func(fail error) error {
		h := f.s.Consume([]app.EventHandler{{Topic: "test", Apply: func(ctx context.Context, users app.Users, _ messaging.Event) error {
			u, err := users.Lock(ctx, ada)
			if err != nil {
				return err
			}
			if err := u.MarkDeleted(ctx, placedAt); err != nil {
				return err
			}
			return fail
		}}})[0]
		return f.db.InTx(f.ctx, func(ctx context.Context, tx *sqldb.Tx) error { return h.Apply(ctx, tx, messaging.Event{}) })
	}
	if err := apply(refused); !errors.Is(err, refused) {
		t.Fatalf("a failing handler: %v, want its error", err)
	}
	if deleted, err := f.s.UserDeleted(f.ctx, ada); err != nil || deleted {
		t.Errorf("after a failing handler, UserDeleted: %v %v, want false", deleted, err)
	}
	if err := apply(nil); err != nil {
		t.Fatal(err)
	}
	if deleted, err := f.s.UserDeleted(f.ctx, ada); err != nil || !deleted {
		t.Errorf("after the handler, UserDeleted: %v %v, want true", deleted, err)
	}
}
