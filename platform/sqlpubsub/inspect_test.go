package sqlpubsub_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

func TestHeadersPageThroughATopicWithoutPayloads(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			publish(t, db.Write, nil, "a", "b", "c")
			var ids []string
			after := int64(0)
			for pages := 0; pages < 3; pages++ {
				page, err := sqlpubsub.Headers(context.Background(), db.Read, "t", after, 2)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				for _, s := range page {
					if len(s.Message.Payload) != 0 {
						t.Errorf("%s came with its payload", s.Message.UUID)
					}
					ids = append(ids, s.Message.UUID)
				}
				after = page[len(page)-1].Seq
			}
			if strings.Join(ids, ",") != "a,b,c" {
				t.Fatalf("pages of 2 listed %v, want a, b, c", ids)
			}
		})
	}
}

func TestPruneOlderDeletesOnlyTheTopicsMessagesBeforeTheCutoff(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			pub := sqlpubsub.NewPublisher(db.Write, nil)
			for _, topic := range []string{"poison", "poison", "outbox"} {
				if err := pub.Publish(topic, message.NewMessage(topic, []byte("x"))); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			if n, err := sqlpubsub.PruneOlder(ctx, db.Write, "poison", time.Now().Add(-time.Hour)); err != nil || n != 0 {
				t.Fatalf("prune before an hour ago: n=%d err=%v, want nothing deleted", n, err)
			}
			if n, err := sqlpubsub.PruneOlder(ctx, db.Write, "poison", time.Now().Add(time.Second)); err != nil || n != 2 {
				t.Fatalf("prune: n=%d err=%v, want the 2 poisoned messages", n, err)
			}
			if n := sqldbtest.Strings(t, db, `SELECT topic FROM pubsub_messages`); len(n) != 1 {
				t.Fatalf("left %v, want the outbox message", n)
			}
		})
	}
}

func TestThePoisonQueuesRetentionUsesItsIndex(t *testing.T) {
	db := openDB(t, sqldb.SQLite)
	plan := sqldbtest.QueryPlan(t, db, sqlpubsub.PruneOlderStatement, "poison", sqldb.Time(time.Now()))
	if !strings.Contains(plan, "USING INDEX pubsub_messages_poison_age (topic=? AND created_at<?)") {
		t.Fatalf("the poison queue's retention does not use its index:\n%s", plan)
	}
}
