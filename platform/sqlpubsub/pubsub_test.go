package sqlpubsub_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

func openDB(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqldb.OpenSQLite(filepath.Join(t.TempDir(), "pubsub.db"), sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background(), sqlpubsub.Schema()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestPubSub runs Watermill's universal Pub/Sub suite. Every constructor call
// shares one database, as separate instances of a service would.
func TestPubSub(t *testing.T) {
	db := openDB(t)
	signal := new(sqlpubsub.Signal)
	newPubSub := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
		sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{
			DB:            db.Write,
			ReadDB:        db.Read,
			ConsumerGroup: group,
			Signal:        signal,
			PollInterval:  20 * time.Millisecond,
			LeaseTTL:      2 * time.Second,
			Logger:        watermill.NopLogger{},
		})
		if err != nil {
			t.Fatal(err)
		}
		return sqlpubsub.NewPublisher(db.Write, signal), sub
	}
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:                      true,
			ExactlyOnceDelivery:                 false,
			GuaranteedOrder:                     true,
			GuaranteedOrderWithSingleSubscriber: true,
			Persistent:                          true,
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) { return newPubSub(t, "") },
		newPubSub,
	)
}

func TestPruneDeletesOnlyWhatEveryGroupAcknowledged(t *testing.T) {
	db := openDB(t)
	pub := sqlpubsub.NewPublisher(db.Write, nil)
	for i := 0; i < 3; i++ {
		if err := pub.Publish("t", message.NewMessage(watermill.NewUUID(), []byte("x"))); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	if n, err := sqlpubsub.Prune(ctx, db.Write, "t"); err != nil || n != 0 {
		t.Fatalf("prune before any subscriber: n=%d err=%v, want 0 rows", n, err)
	}

	fast := consume(t, db, "fast", 3)
	slow := consume(t, db, "slow", 1)
	fast.Close()
	slow.Close()

	n, err := sqlpubsub.Prune(ctx, db.Write, "t")
	if err != nil || n != 1 {
		t.Fatalf("prune: n=%d err=%v, want the 1 row both groups acked", n, err)
	}
}

// consume acknowledges n messages of topic "t" as group and returns the subscriber.
func consume(t *testing.T, db *sqldb.DB, group string, n int) *sqlpubsub.Subscriber {
	t.Helper()
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{DB: db.Write, ConsumerGroup: group})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sub.Subscribe(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		select {
		case m := <-msgs:
			m.Ack()
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: message %d never arrived", group, i)
		}
	}
	return sub
}
