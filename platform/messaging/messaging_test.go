package messaging_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openDB(t testing.TB) *sqldb.DB {
	t.Helper()
	return openDBOn(t, sqldbtest.Engine())
}

// openDBOn opens a module database on engine with the messaging schema and
// a table of effects.
func openDBOn(t testing.TB, engine sqldb.Dialect) *sqldb.DB {
	t.Helper()
	db := sqldbtest.Open(t, engine, "m", messaging.Schema()...)
	effects := `CREATE TABLE effects (seq INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL)`
	if engine == sqldb.Postgres {
		effects = `CREATE TABLE effects (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload TEXT NOT NULL)`
	}
	if _, err := db.Write.Exec(effects); err != nil {
		t.Fatal(err)
	}
	return db
}

// testBus is the in-process bus as the consumer group "test" sees it: what
// is published on it reaches the group's subscriptions.
type testBus struct {
	message.Publisher
	message.Subscriber
}

func newBus(t testing.TB) testBus {
	bus := messaging.NewInProcessBus(messaging.WatermillLogger(quiet))
	t.Cleanup(func() { bus.Close() })
	pub, err := bus.Publisher("test")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := bus.Subscriber("test")
	if err != nil {
		t.Fatal(err)
	}
	return testBus{pub, sub}
}

// Close leaves the bus open: newBus closes it when the test ends.
func (testBus) Close() error { return nil }

// run starts r (a relay or consumer) and stops it when the test ends.
func run(t *testing.T, r interface {
	Run(context.Context) error
	Running() chan struct{}
	Close() error
}) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(context.Background()) }()
	select {
	case <-r.Running():
	case <-time.After(10 * time.Second):
		t.Fatal("did not start")
	}
	t.Cleanup(func() { r.Close(); <-done })
}

func startConsumer(t *testing.T, db *sqldb.DB, bus testBus, cfg messaging.ProcessorConfig, hs ...messaging.Handler) {
	t.Helper()
	p, err := messaging.NewProcessor("test", db, hs, quiet, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := messaging.NewConsumer(p, bus)
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
}

// event is an authentic event on topic.
func event(id, payload, topic string) *message.Message {
	m := message.NewMessage(id, []byte(payload))
	m.Metadata.Set(messaging.MetaEventType, topic)
	return messagingtest.Signed(m)
}

func recordEffect(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO effects (payload) VALUES ($1)`, string(ev.Payload))
	return err
}

func effects(t *testing.T, db *sqldb.DB) []string {
	return sqldbtest.Strings(t, db, `SELECT payload FROM effects ORDER BY seq`)
}

func TestOutboxPublishesOnlyCommittedChanges(t *testing.T) {
	db, bus := openDB(t), newBus(t)
	received, err := bus.Subscribe(context.Background(), "thing.Happened.v1")
	if err != nil {
		t.Fatal(err)
	}
	relay, err := messaging.NewRelay(db, bus, messaging.WatermillLogger(quiet), messaging.RelayConfig{})
	if err != nil {
		t.Fatal(err)
	}
	run(t, relay)
	outbox := messagingtest.Outbox(t, "test")
	ctx := logging.WithRequestID(context.Background(), "req-1")

	rollback := errors.New("use case failed")
	err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := outbox.Add(ctx, tx, "thing.Happened.v1", map[string]string{"n": "rolled back"}); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("InTx returned %v", err)
	}
	err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		return outbox.Add(ctx, tx, "thing.Happened.v1", map[string]string{"n": "committed"})
	})
	if err != nil {
		t.Fatal(err)
	}

	select {
	case msg := <-received:
		msg.Ack()
		if string(msg.Payload) != `{"n":"committed"}` {
			t.Fatalf("relayed %s, want only the committed event", msg.Payload)
		}
		md := msg.Metadata
		if md.Get(messaging.MetaEventID) != msg.UUID || md.Get(messaging.MetaProducer) != "test" ||
			md.Get(messaging.MetaEventType) != "thing.Happened.v1" || md.Get(messaging.MetaCorrelationID) != "req-1" {
			t.Fatalf("metadata %v", md)
		}
		if _, err := time.Parse(time.RFC3339Nano, md.Get(messaging.MetaOccurredAt)); err != nil {
			t.Fatalf("occurred_at: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the committed event was not relayed")
	}
	select {
	case msg := <-received:
		t.Fatalf("a second event was relayed: %s", msg.Payload)
	case <-time.After(100 * time.Millisecond):
	}
}

// errorLog keeps the messages of the error records logged to it.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelError }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler               { return l }
func (l *errorLog) WithGroup(string) slog.Handler                    { return l }

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}

func (l *errorLog) messages() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}

func TestARelayPrunesWhatItRelayedUntilItIsClosed(t *testing.T) {
	db, bus := openDB(t), newBus(t)
	received, err := bus.Subscribe(context.Background(), "thing.Happened.v1")
	if err != nil {
		t.Fatal(err)
	}
	const every = 10 * time.Millisecond
	errs := &errorLog{}
	relay, err := messaging.NewRelay(db, bus, messaging.WatermillLogger(slog.New(errs)), messaging.RelayConfig{PruneInterval: every})
	if err != nil {
		t.Fatal(err)
	}
	run(t, relay) // as the server runs it: on a context never cancelled, so that only Close stops it
	err = db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		return messagingtest.Outbox(t, "test").Add(ctx, tx, "thing.Happened.v1", map[string]string{})
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-received:
		m.Ack()
	case <-time.After(5 * time.Second):
		t.Fatal("the event was not relayed")
	}
	awaitEmpty(t, db, "pubsub_messages")

	if err := relay.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * every) // time for a prune loop that outlived Close to run into the closed database
	if msgs := errs.messages(); len(msgs) > 0 {
		t.Fatalf("the relay logged errors: %q", msgs)
	}
}

// awaitEmpty waits up to 10 s for db's table to have no rows.
func awaitEmpty(t *testing.T, db *sqldb.DB, table string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var left int
		if err := db.Read.QueryRow(`SELECT count(*) FROM ` + table).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows are still in %s", left, table)
		}
	}
}

func TestRedeliveredEventHasOneEffect(t *testing.T) {
	db, bus := openDB(t), newBus(t)
	startConsumer(t, db, bus, messaging.ProcessorConfig{Keys: messagingtest.Keys}, messaging.Handler{Topic: "t.v1", Apply: recordEffect})

	msg := event("11111111-1111-1111-1111-111111111111", "once", "t.v1")
	for i := 0; i < 3; i++ {
		// The bus returns once the consumer acknowledged: its effect is committed.
		if err := bus.Publish("t.v1", msg.Copy()); err != nil {
			t.Fatal(err)
		}
	}
	if got := effects(t, db); len(got) != 1 {
		t.Fatalf("%d effects from one event delivered three times", len(got))
	}
	// A redelivery is handled, as a no-op: not a failure to retry and poison.
	if p := poisonQueue(t, db, 0); len(p) != 0 {
		t.Fatalf("redeliveries poisoned: %+v", p)
	}
}

type poisoned struct {
	payload, reason, attempts string
}

// poisonQueue reads db's poison queue: want messages, for which it waits up
// to 10 s (on PostgreSQL a subscriber waits for every older transaction on
// the server, and other tests' load can keep one open), then whatever more
// comes before 300 ms pass without a message.
func poisonQueue(t *testing.T, db *sqldb.DB, want int) []poisoned {
	t.Helper()
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{DB: db.Write, Dialect: db.Dialect(), ConsumerGroup: "inspect"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs, err := sub.Subscribe(ctx, messaging.PoisonTopic)
	if err != nil {
		t.Fatal(err)
	}
	var out []poisoned
	deadline := time.After(10 * time.Second)
	for {
		wait := deadline
		if len(out) >= want {
			wait = time.After(300 * time.Millisecond)
		}
		select {
		case m := <-msgs:
			m.Ack()
			out = append(out, poisoned{string(m.Payload), m.Metadata.Get(middleware.ReasonForPoisonedKey), m.Metadata.Get(messaging.MetaAttempts)})
		case <-wait:
			return out
		}
	}
}

func TestFailingEventsGoToThePoisonQueueAndTheRestFlow(t *testing.T) {
	db, bus := openDB(t), newBus(t)
	apply := func(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
		switch string(ev.Payload) {
		case "fails":
			return errors.New("downstream is broken")
		case "malformed":
			return messaging.Malformed(errors.New("no user_id"))
		case "panics":
			panic("handler bug")
		}
		return recordEffect(ctx, tx, ev)
	}
	cfg := messaging.ProcessorConfig{Keys: messagingtest.Keys, MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}
	startConsumer(t, db, bus, cfg, messaging.Handler{Topic: "t.v1", Apply: apply})

	for _, p := range []string{"ok-1", "fails", "ok-2", "malformed", "panics", "ok-3"} {
		if err := bus.Publish("t.v1", event(p+"-id", p, "t.v1")); err != nil {
			t.Fatal(err)
		}
	}

	if got := effects(t, db); len(got) != 3 || got[0] != "ok-1" || got[2] != "ok-3" {
		t.Fatalf("effects %v, want the three good events", got)
	}
	want := map[string]string{"fails": "4", "malformed": "1", "panics": "4"} // 1 + MaxRetries, or 1 when retrying is useless
	got := poisonQueue(t, db, len(want))
	if len(got) != len(want) {
		t.Fatalf("poison queue %+v, want %v", got, want)
	}
	for _, p := range got {
		if want[p.payload] != p.attempts || p.reason == "" {
			t.Fatalf("poisoned %q after %s attempts (want %s), reason %q", p.payload, p.attempts, want[p.payload], p.reason)
		}
	}
}

func TestEventsWrittenByAHandlerKeepTheCorrelationID(t *testing.T) {
	db, bus := openDB(t), newBus(t)
	outbox := messagingtest.Outbox(t, "test")
	startConsumer(t, db, bus, messaging.ProcessorConfig{Keys: messagingtest.Keys}, messaging.Handler{Topic: "in.v1",
		Apply: func(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
			return outbox.Add(ctx, tx, "out.v1", map[string]string{})
		}})
	relay, err := messaging.NewRelay(db, bus, messaging.WatermillLogger(quiet), messaging.RelayConfig{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := bus.Subscribe(context.Background(), "out.v1")
	if err != nil {
		t.Fatal(err)
	}
	run(t, relay)

	in := message.NewMessage("in-1", []byte("{}"))
	middleware.SetCorrelationID("corr-42", in)
	in.Metadata.Set(messaging.MetaEventType, "in.v1")
	messagingtest.Signed(in)
	go func() { _ = bus.Publish("in.v1", in) }()
	select {
	case m := <-out:
		m.Ack()
		if got := m.Metadata.Get(messaging.MetaCorrelationID); got != "corr-42" {
			t.Fatalf("correlation id %q, want corr-42", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's event was not relayed")
	}
}

func TestProcessorHandlesQueueDeliveries(t *testing.T) {
	db := openDB(t)
	calls := 0
	apply := func(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
		calls++
		switch string(ev.Payload) {
		case "fails":
			return errors.New("downstream is broken")
		case "malformed":
			return messaging.Malformed(errors.New("bad"))
		}
		return recordEffect(ctx, tx, ev)
	}
	p, err := messaging.NewProcessor("test", db, []messaging.Handler{{Topic: "t.v1", Apply: apply}}, quiet,
		messaging.ProcessorConfig{Keys: messagingtest.Keys, MaxRetries: 2, InitialInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(id, payload, topic string) *message.Message {
		wire, err := messaging.MarshalMessage(event(id, payload, topic))
		if err != nil {
			t.Fatal(err)
		}
		back, err := messaging.UnmarshalMessage(wire) // as it arrives from a queue
		if err != nil {
			t.Fatal(err)
		}
		return back
	}
	ctx := context.Background()

	if err := p.Handle(ctx, msg("a", "ok", "t.v1"), 1); err != nil {
		t.Fatal(err)
	}
	if err := p.Handle(ctx, msg("a", "ok", "t.v1"), 2); err != nil {
		t.Fatal(err)
	}
	if got := effects(t, db); len(got) != 1 {
		t.Fatalf("a redelivered message had %d effects", len(got))
	}
	if err := p.Handle(ctx, msg("b", "fails", "t.v1"), 1); err == nil {
		t.Fatal("a failing first delivery was acknowledged: the queue would not redeliver it")
	}
	if err := p.Handle(ctx, msg("b", "fails", "t.v1"), 3); err != nil {
		t.Fatalf("the delivery past MaxRetries was not poisoned: %v", err)
	}
	if err := p.Handle(ctx, msg("c", "malformed", "t.v1"), 1); err != nil {
		t.Fatalf("a malformed message was not poisoned: %v", err)
	}
	if err := p.Handle(ctx, msg("d", "ok", "other.v1"), 1); err != nil {
		t.Fatalf("a message of a foreign type was not poisoned: %v", err)
	}
	before := calls
	if err := p.Handle(ctx, msg("e", "fails", "t.v1"), 0); err != nil {
		t.Fatalf("with unknown attempts the chain retries, then poisons: %v", err)
	}
	if calls-before != 3 {
		t.Fatalf("%d attempts without a queue count, want 1 + MaxRetries = 3", calls-before)
	}
	got := poisonQueue(t, db, 4)
	want := map[string]string{"fails": "3", "malformed": "1", "ok": "1"}
	if len(got) != 4 {
		t.Fatalf("poison queue %+v", got)
	}
	for _, g := range got[:3] {
		if want[g.payload] != g.attempts || g.reason == "" {
			t.Errorf("poisoned %+v", g)
		}
	}
	if _, err := messaging.UnmarshalMessage([]byte(`{"payload":"eA=="}`)); err == nil {
		t.Error("a body without uuid was accepted")
	}
}

func TestHandledIdsAreForgottenAfterTheRetention(t *testing.T) {
	db := openDB(t)
	p, err := messaging.NewProcessor("test", db, []messaging.Handler{{Topic: "t.v1", Apply: recordEffect}}, quiet, messaging.ProcessorConfig{Keys: messagingtest.Keys})
	if err != nil {
		t.Fatal(err)
	}
	deliver := func() {
		if err := p.Handle(context.Background(), event("same-id", "x", "t.v1"), 1); err != nil {
			t.Fatal(err)
		}
	}
	deliver()
	deliver()
	if n := len(effects(t, db)); n != 1 {
		t.Fatalf("%d effects within the retention, want 1", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.ForgetHandled(ctx, 40*time.Millisecond, time.Hour)
	awaitEmpty(t, db, "inbox")
	deliver()
	if n := len(effects(t, db)); n != 2 {
		t.Fatalf("%d effects: a delivery after the retention should apply again", n)
	}
}

// The retention sweep finds old inbox rows through inbox_handled_at instead
// of reading the whole inbox under the write lock.
func TestTheInboxSweepSearchesTheHandledAtIndex(t *testing.T) {
	db := openDBOn(t, sqldb.SQLite)
	plan := sqldbtest.QueryPlan(t, db, messaging.ForgetHandledSQL, sqldb.Time(time.Now()))
	if !strings.Contains(plan, "INDEX inbox_handled_at") || strings.Contains(plan, "SCAN inbox") {
		t.Errorf("the sweep's plan:\n%s\nwant a search through inbox_handled_at", plan)
	}
}

// A relay whose consumer does not take its event is stuck, and says for
// how long, once past the given time; it is not while it has nothing to
// publish, nor once the event got through. It passes over the topics it
// does not relay.
func TestARelayTellsWhenItCannotGetAnEventThrough(t *testing.T) {
	db, bus := openDB(t), newBus(t)
	received, err := bus.Subscribe(context.Background(), "wanted.v1")
	if err != nil {
		t.Fatal(err)
	}
	relay, err := messaging.NewRelay(db, bus, messaging.WatermillLogger(quiet),
		messaging.RelayConfig{ConsumerGroup: messaging.RelayGroup("test"), Topics: []string{"wanted.v1"}})
	if err != nil {
		t.Fatal(err)
	}
	run(t, relay)
	if err := relay.Stuck(0); err != nil {
		t.Fatalf("an idle relay is stuck: %v", err)
	}
	outbox := messagingtest.Outbox(t, "test")
	err = db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		return errors.Join(outbox.Add(ctx, tx, "other.v1", map[string]int{"n": 1}), outbox.Add(ctx, tx, "wanted.v1", map[string]int{"n": 2}))
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := <-received // held, unacknowledged: the consumer cannot take it
	if string(msg.Payload) != `{"n":2}` {
		t.Fatalf("relayed %s, want only the wanted topic's event", msg.Payload)
	}
	time.Sleep(150 * time.Millisecond)
	if err := relay.Stuck(100 * time.Millisecond); err == nil || !strings.Contains(err.Error(), "relay to test") {
		t.Fatalf("a relay waiting 150ms on its consumer: %v, want stuck naming its group", err)
	}
	msg.Ack()
	deadline := time.Now().Add(5 * time.Second)
	for relay.Stuck(0) != nil {
		if time.Now().After(deadline) {
			t.Fatal("still stuck after its event got through")
		}
		time.Sleep(time.Millisecond)
	}
}
