package wiring_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
	"example.com/modmono/wiring"
)

// openModuleDB opens the database of module that cfg configures (its
// PostgreSQL schema, or its file in cfg.DataDir) from the outside, as a
// second process would.
func openModuleDB(t testing.TB, cfg wiring.Config, module string) *sqldb.DB {
	t.Helper()
	var db *sqldb.DB
	var err error
	if u, ok := cfg.DatabaseURLs[module]; ok {
		db, err = sqldb.OpenPostgres(context.Background(), u.URL, module, sqldb.PostgresOptions{MaxConns: 2})
	} else {
		db, err = sqldb.OpenSQLite(filepath.Join(cfg.DataDir, module+".db"), sqldb.SQLiteOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAMalformedEventIsPoisonedAndTheRestFlow(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	eventually(t, "the welcome notification", func() bool { return len(s.notifications(t, token)) == 1 })

	// An OrderPlaced without the fields consumers rely on, committed to the
	// orders outbox the way the module itself writes events.
	orders := openModuleDB(t, s.Config, "orders")
	err := orders.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		return messagingtest.Outbox(t, "orders").Add(ctx, tx, "orders.OrderPlaced.v1", map[string]any{"order_id": 42})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.placeOrder(t, token, orderBody("after-the-bad-one"), nil)
	eventually(t, "the good order's notification", func() bool {
		return count(s.notifications(t, token), "order_placed") == 1
	})

	notifications := openModuleDB(t, s.Config, "notifications")
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{DB: notifications.Write, Dialect: notifications.Dialect(), ConsumerGroup: "test-inspect"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	poisoned, err := sub.Subscribe(context.Background(), messaging.PoisonTopic)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-poisoned:
		m.Ack()
		if m.Metadata.Get(middleware.ReasonForPoisonedKey) == "" || m.Metadata.Get(messaging.MetaAttempts) != "1" {
			t.Fatalf("poisoned without reason or after retries: %v", m.Metadata)
		}
		if string(m.Payload) != `{"order_id":42}` {
			t.Fatalf("poisoned payload %s", m.Payload)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the malformed event is not in the notifications poison queue")
	}
}

func TestReadinessFailsWhileAMigrationIsMissing(t *testing.T) {
	s := startServer(t)
	s.do(t, request{Method: "GET", Path: "/readyz"}).expect(t, 200)

	orders := openModuleDB(t, s.Config, "orders")
	if _, err := orders.Write.Exec(`DELETE FROM schema_version WHERE version_id = (SELECT MAX(version_id) FROM schema_version)`); err != nil {
		t.Fatal(err)
	}
	// /readyz reuses its checks' outcome for a second.
	var res response
	within(t, 5*time.Second, "/readyz to answer 503", func() bool {
		res = s.do(t, request{Method: "GET", Path: "/readyz"})
		return res.Status == 503
	})
	res.expectProblem(t, 503)
	var body struct {
		Checks map[string]string `json:"checks"`
	}
	res.decode(t, &body)
	if body.Checks["orders"] != "database is not migrated" || body.Checks["users"] != "ok" {
		t.Fatalf("readiness %+v", body)
	}
	s.do(t, request{Method: "GET", Path: "/healthz"}).expect(t, 200)
}
