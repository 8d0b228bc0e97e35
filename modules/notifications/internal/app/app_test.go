package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/modules/notifications/internal/store"
	orderevents "example.com/modmono/modules/orders/events"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

const userID = "0190a0b2-7c3e-7000-8000-000000000001"

// module is the notifications use cases on a temporary database of their
// own, delivering through a recording Sender.
type module struct {
	svc       *app.Service
	db        *sqldb.DB
	processor *messaging.Processor
	sent      *recorder
}

func newModule(t *testing.T) module {
	t.Helper()
	db := messagingtest.OpenDB(t, migrations.Of("notifications"))
	sent := &recorder{}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	wake := &sqlpubsub.Signal{} // commits wake the Sender, as in the module
	db.OnCommit(wake.Notify)
	queue, err := sqlpubsub.NewFollower(sqlpubsub.FollowerConfig{DB: db, Name: "notifications/sender", Signal: wake, Logger: logger},
		store.Unsent())
	if err != nil {
		t.Fatal(err)
	}
	svc := app.New(store.New(db), queue, sent)
	return module{svc: svc, db: db, processor: messagingtest.Processor(t, db, svc.Handlers()), sent: sent}
}

func (m module) deliver(t *testing.T, topic string, payload any) {
	t.Helper()
	if err := messagingtest.Deliver(context.Background(), m.processor, topic, payload); err != nil {
		t.Fatalf("%s: %v", topic, err)
	}
}

func (m module) kinds(t *testing.T) []string {
	t.Helper()
	ns, err := m.svc.List(context.Background(), userID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range ns {
		kinds = append(kinds, n.Kind)
	}
	return kinds
}

// recorder is a Sender that remembers what it was handed.
type recorder struct {
	mu   sync.Mutex
	sent []app.Notification
}

func (r *recorder) Send(_ context.Context, n app.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func registered() userevents.UserRegistered {
	return userevents.UserRegistered{UserID: userID, Email: "ada@example.com", Name: "Ada", RegisteredAt: now}
}

func placed(orderID string) orderevents.OrderPlaced {
	return orderevents.OrderPlaced{OrderID: orderID, UserID: userID, Currency: "EUR", TotalCents: 2599, PlacedAt: now,
		Items:           []orderevents.Item{{SKU: "book", Quantity: 2, UnitPriceCents: 1250}},
		ShippingAddress: orderevents.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}}
}

func TestEventsBecomeNotificationsNewestFirst(t *testing.T) {
	m := newModule(t)
	m.deliver(t, userevents.TopicUserRegistered, registered())
	m.deliver(t, orderevents.TopicOrderPlaced, placed("0190a0b2-7c3e-7000-8000-0000000000a1"))

	kinds := m.kinds(t)
	if len(kinds) != 2 || kinds[0] != app.KindOrderPlaced || kinds[1] != app.KindWelcome {
		t.Fatalf("notifications %v, want [order_placed welcome]", kinds)
	}
}

func TestADeletedUserGetsNoMoreNotifications(t *testing.T) {
	m := newModule(t)
	m.deliver(t, userevents.TopicUserRegistered, registered())
	m.deliver(t, userevents.TopicUserDeleted, userevents.UserDeleted{UserID: userID, DeletedAt: now})
	m.deliver(t, orderevents.TopicOrderCancelled, orderevents.OrderCancelled{OrderID: "0190a0b2-7c3e-7000-8000-0000000000a1",
		UserID: userID, Reason: orderevents.ReasonUserDeleted, CancelledAt: now})
	m.deliver(t, userevents.TopicUserRegistered, registered()) // a late redelivery under a new id

	if kinds := m.kinds(t); len(kinds) != 0 {
		t.Fatalf("a deleted user has notifications %v", kinds)
	}
}

func TestTheSenderGetsEachNotificationOnceWithTheRecipient(t *testing.T) {
	m := newModule(t)
	m.deliver(t, userevents.TopicUserRegistered, registered())
	m.deliver(t, orderevents.TopicOrderPlaced, placed("0190a0b2-7c3e-7000-8000-0000000000a1"))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.svc.Dispatch(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for m.sent.count() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	m.deliver(t, orderevents.TopicOrderPlaced, placed("0190a0b2-7c3e-7000-8000-0000000000a2"))
	for m.sent.count() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	m.sent.mu.Lock()
	defer m.sent.mu.Unlock()
	if len(m.sent.sent) != 3 {
		t.Fatalf("the Sender got %d notifications, want 3", len(m.sent.sent))
	}
	for i, n := range m.sent.sent {
		if n.Email != "ada@example.com" || (i > 0 && n.Seq <= m.sent.sent[i-1].Seq) {
			t.Errorf("sent #%d: %+v, want the recipient's e-mail, in order", i, n)
		}
	}
}

// Two Senders on one database, as in two server processes: the claim on
// the cursor makes one of them send, so nothing is sent twice.
func TestTwoSendersSendEachNotificationOnce(t *testing.T) {
	m := newModule(t)
	m.deliver(t, userevents.TopicUserRegistered, registered())
	ctx, cancel := context.WithCancel(context.Background())
	const senders = 2
	done := make(chan error, senders)
	for range senders {
		go func() { done <- m.svc.Dispatch(ctx) }()
	}
	for i := range 20 {
		m.deliver(t, orderevents.TopicOrderPlaced, placed(fmt.Sprintf("0190a0b2-7c3e-7000-8000-%012d", i)))
	}
	deadline := time.Now().Add(10 * time.Second)
	for m.sent.count() < 21 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // room for a duplicate to show
	cancel()
	for range senders {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	m.sent.mu.Lock()
	defer m.sent.mu.Unlock()
	seen := map[string]bool{}
	for _, n := range m.sent.sent {
		if seen[n.ID] {
			t.Errorf("notification %s sent twice", n.ID)
		}
		seen[n.ID] = true
	}
	if len(seen) != 21 {
		t.Fatalf("sent %d distinct notifications, want 21", len(seen))
	}
}
