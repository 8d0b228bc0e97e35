package app_test

import (
	"context"
	"testing"
	"time"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

// The relay deletes what it relayed only every minute: a deletion does not
// wait for it.
func TestDeletingAnAccountLeavesNothingOfItInTheModulesDatabase(t *testing.T) {
	svc, db := newService(t)
	ctx := context.Background()
	u := register(t, svc, "erased@example.com")
	if _, err := svc.SetAddress(ctx, u.ID, app.Address{Line1: "7 Erase Row", City: "Berlin", PostalCode: "10115", Country: "DE"}); err != nil {
		t.Fatal(err)
	}
	relay(t, db, 2)

	if err := svc.Delete(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if traces := sqldbtest.Traces(t, db, "erased@example.com", "7 Erase Row"); len(traces) != 0 {
		t.Errorf("the deleted account is still held: %q", traces)
	}
	published := messagingtest.Published(t, db, events.Contracts)
	if len(published) != 1 || published[0].Topic != events.TopicUserDeleted {
		t.Fatalf("published %+v, want the one UserDeleted", published)
	}
}

// relay passes over the first n events of db's outbox as the relay does,
// without deleting them.
func relay(t *testing.T, db *sqldb.DB, n int) {
	t.Helper()
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{DB: db.Write, Dialect: db.Dialect(), ConsumerGroup: "relay"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(context.Background(), messaging.OutboxTopic)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		select {
		case m := <-msgs:
			m.Ack()
		case <-time.After(5 * time.Second):
			t.Fatalf("outbox event %d never arrived", i)
		}
	}
}
