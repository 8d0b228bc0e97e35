package sqlpubsub_test

import (
	"context"
	"testing"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

// Regrouping a topic starts each new group where the slowest old one stood,
// so nothing is skipped, and forgets the old groups, so that they hold back
// neither Pending nor Prune.
func TestRegroupStartsNewGroupsWhereTheSlowestOldOneStoodAndForgetsTheOld(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) { testRegroup(t, engine) })
	}
}

func testRegroup(t *testing.T, engine sqldb.Dialect) {
	db := openDB(t, engine)
	ctx := context.Background()
	publish(t, db.Write, nil, "m1", "m2", "m3", "m4")
	consume(t, db, "old-fast", 3).Close()
	consume(t, db, "old-slow", 1).Close()
	if n, _, err := sqlpubsub.Pending(ctx, db.Read, "t"); err != nil || n != 3 {
		t.Fatalf("pending before: %d %v, want the 3 the slowest group has not acknowledged", n, err)
	}

	if err := sqlpubsub.Regroup(ctx, db, "t", []string{"new"}); err != nil {
		t.Fatal(err)
	}
	sub, err := sqlpubsub.NewSubscriber(sqlpubsub.SubscriberConfig{DB: db.Write, Dialect: db.Dialect(), ConsumerGroup: "new"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sub.Subscribe(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	receive(t, msgs, "m2", "m3", "m4")
	sub.Close()

	if n, _, err := sqlpubsub.Pending(ctx, db.Read, "t"); err != nil || n != 0 {
		t.Fatalf("pending after: %d %v, want 0: the old groups are forgotten", n, err)
	}
	if n, err := sqlpubsub.Prune(ctx, db.Write, "t"); err != nil || n != 4 {
		t.Fatalf("prune: %d %v, want all 4", n, err)
	}
}

// A group whose lease a subscriber holds (a process of the former
// deployment, still running) is not forgotten under it.
func TestRegroupLeavesAGroupWhoseLeaseIsHeld(t *testing.T) {
	db := openDB(t, sqldbtest.Engine())
	publish(t, db.Write, nil, "m1", "m2")
	live := consume(t, db, "live", 1) // still subscribed: it holds the lease
	defer live.Close()
	if err := sqlpubsub.Regroup(context.Background(), db, "t", []string{"new"}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Read.QueryRow(`SELECT count(*) FROM pubsub_offsets WHERE consumer_group = 'live'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the held group's offset rows: %d %v, want 1", n, err)
	}
}
