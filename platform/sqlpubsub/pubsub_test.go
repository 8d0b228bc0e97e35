package sqlpubsub_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/jackc/pgx/v5"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

func openDB(t *testing.T, engine sqldb.Dialect) *sqldb.DB {
	t.Helper()
	return sqldbtest.Open(t, engine, "pubsub", sqlpubsub.Schema())
}

// TestPubSub runs Watermill's universal Pub/Sub suite on each engine. Every
// constructor call shares one database, as separate instances of a service
// would.
func TestPubSub(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) { testPubSub(t, engine) })
	}
}

func testPubSub(t *testing.T, engine sqldb.Dialect) {
	db := openDB(t, engine)
	signal := new(sqlpubsub.Signal)
	newPubSub := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
		sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{
			DB:            db.Write,
			ReadDB:        db.Read,
			Dialect:       db.Dialect(),
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
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) { testPrune(t, engine) })
	}
}

func testPrune(t *testing.T, engine sqldb.Dialect) {
	db := openDB(t, engine)
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
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{DB: db.Write, Dialect: db.Dialect(), ConsumerGroup: group})
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

// A commit in another process wakes a PostgreSQL subscriber through NOTIFY,
// long before its fallback poll. A commit in the subscriber's own process
// wakes it directly, and sends no NOTIFY, which would serialise the
// server's commits for nothing.
func TestCommitsWakeTheSubscriberNotifyingOnlyOtherProcesses(t *testing.T) {
	url := sqldbtest.PostgresURL(t)
	open := func() *sqldb.DB {
		db, err := sqldb.OpenPostgres(context.Background(), url, "pubsub", sqldb.PostgresOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	here, elsewhere := open(), open()
	if err := here.Migrate(context.Background(), sqlpubsub.Schema()); err != nil {
		t.Fatal(err)
	}
	listener, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(context.Background())
	if _, err := listener.Exec(context.Background(), "LISTEN "+sqlpubsub.Channel(here.Schema())); err != nil {
		t.Fatal(err)
	}
	notified := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_, err := listener.WaitForNotification(ctx)
		return err == nil
	}

	signal := new(sqlpubsub.Signal)
	here.Listen(sqlpubsub.Channel(here.Schema()), signal.Notify)
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{
		DB: here.Write, Dialect: here.Dialect(), Signal: signal, Instance: here.Instance(), PollInterval: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the listener connect and the first read take the lease
	for _, c := range []struct {
		id     string
		db     *sqldb.DB
		notify bool
	}{{"m1", here, false}, {"m2", elsewhere, true}} {
		err = c.db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
			return sqlpubsub.NewPublisher(tx, nil).Publish("t", message.NewMessage(c.id, []byte("x")))
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-msgs:
			m.Ack()
			if m.UUID != c.id {
				t.Fatalf("got %s, want %s", m.UUID, c.id)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the commit of %s never woke the subscriber", c.id)
		}
		if got := notified(); got != c.notify {
			t.Errorf("commit of %s: NOTIFY sent = %v, want %v", c.id, got, c.notify)
		}
	}
}

// A message committed while an older transaction that wrote one is still
// open waits for it, and comes after it: delivery follows the order the
// transactions began in, whatever order they commit in. The subscriber
// finds out by reading again (its poll here is an hour away): nothing
// announces the end of the older transaction.
func TestAMessageBehindAnOpenTransactionWaitsForIt(t *testing.T) {
	db := openDB(t, sqldb.Postgres)
	ctx := context.Background()
	signal := new(sqlpubsub.Signal)
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{
		DB: db.Write, Dialect: db.Dialect(), Signal: signal, PollInterval: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}

	older, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer older.Rollback()
	publish(t, older, nil, "first")
	publish(t, db.Write, signal, "second")
	select {
	case m := <-msgs:
		t.Fatalf("%s delivered while an older transaction was open", m.UUID)
	case <-time.After(300 * time.Millisecond):
	}
	if err := older.Commit(); err != nil {
		t.Fatal(err)
	}
	receive(t, msgs, "first", "second")
}

// publish commits a message of each id on topic "t" through exec.
func publish(t *testing.T, exec sqlpubsub.Executor, signal *sqlpubsub.Signal, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := sqlpubsub.NewPublisher(exec, signal).Publish("t", message.NewMessage(id, []byte("x"))); err != nil {
			t.Fatal(err)
		}
	}
}

// receive acknowledges the next messages of msgs, which must be want, in
// that order, each within 10 s.
func receive(t *testing.T, msgs <-chan *message.Message, want ...string) {
	t.Helper()
	for _, id := range want {
		select {
		case m := <-msgs:
			m.Ack()
			if m.UUID != id {
				t.Fatalf("got %s, want %s", m.UUID, id)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s never delivered", id)
		}
	}
}

// A subscription with a Signal waits for a wake-up after a read only when
// that read held everything committed before it. A read that filled its
// batch, or that stopped at rows behind an open transaction, is followed
// by another without one (the poll here is an hour away).
func TestAReadThatMayHaveLeftMessagesIsFollowedByAnother(t *testing.T) {
	ctx := context.Background()
	subscribe := func(t *testing.T, db *sqldb.DB) <-chan *message.Message {
		t.Helper()
		sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{
			DB: db.Write, Dialect: db.Dialect(), Signal: new(sqlpubsub.Signal), PollInterval: time.Hour, BatchSize: 2,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sub.Close() })
		msgs, err := sub.Subscribe(ctx, "t")
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine)+"/full batches", func(t *testing.T) {
			db := openDB(t, engine)
			publish(t, db.Write, nil, "m1", "m2", "m3", "m4", "m5")
			receive(t, subscribe(t, db), "m1", "m2", "m3", "m4", "m5")
		})
	}
	t.Run("postgres/behind an open transaction", func(t *testing.T) {
		db := openDB(t, sqldb.Postgres)
		publish(t, db.Write, nil, "m1")
		older, err := db.Write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer older.Rollback()
		publish(t, older, nil, "m2")
		publish(t, db.Write, nil, "m3")
		msgs := subscribe(t, db) // its first read: m1, and m3 behind the open transaction
		receive(t, msgs, "m1")
		if err := older.Commit(); err != nil {
			t.Fatal(err)
		}
		receive(t, msgs, "m2", "m3")
	})
}

// A Confirm that fails rewinds the subscription: what was acknowledged
// since the stored offset is delivered again, and only a confirmed offset
// is stored.
func TestAFailedConfirmDeliversAgain(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			pub := sqlpubsub.NewPublisher(db.Write, nil)
			for _, id := range []string{"m1", "m2"} {
				if err := pub.Publish("t", message.NewMessage(id, []byte("x"))); err != nil {
					t.Fatal(err)
				}
			}
			var confirms atomic.Int32
			sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{
				DB: db.Write, Dialect: db.Dialect(), ConsumerGroup: "g", PollInterval: 20 * time.Millisecond,
				Confirm: func(context.Context) error {
					if confirms.Add(1) == 1 {
						return errors.New("the bus lost them")
					}
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := sub.Subscribe(context.Background(), "t")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for len(got) < 4 {
				select {
				case m := <-msgs:
					m.Ack()
					got = append(got, m.UUID)
				case <-time.After(5 * time.Second):
					t.Fatalf("delivered %v, want m1 m2 twice", got)
				}
			}
			if strings.Join(got, " ") != "m1 m2 m1 m2" {
				t.Fatalf("delivered %v, want m1 m2 m1 m2", got)
			}
			sub.Close()
			again, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{DB: db.Write, Dialect: db.Dialect(), ConsumerGroup: "g"})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			rest, err := again.Subscribe(context.Background(), "t")
			if err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-rest:
				t.Fatalf("%s delivered again after its offset was confirmed", m.UUID)
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
}
