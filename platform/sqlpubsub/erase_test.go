package sqlpubsub_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/sqldb/sqldbtest"
	"example.com/modmono/platform/sqlpubsub"
)

func TestDeleteMentioningDeletesOnlyTheTopicsMessagesHoldingTheBytes(t *testing.T) {
	const id = "0190a0b2-7c3e-7000-8000-00000000abcd"
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			db := openDB(t, engine)
			pub := sqlpubsub.NewPublisher(db.Write, nil)
			for _, m := range []struct{ topic, uuid, payload string }{
				{"poison", "decoded", `{"user_id":"` + id + `","email":"a@example.com"}`},
				{"poison", "malformed", `{"broken": "` + id},
				{"poison", "upper case", `{"user_id":"0190A0B2-7C3E-7000-8000-00000000ABCD"}`},
				{"poison", "wildcards", `{"user_id":"0190a0b2_7c3e%7000-8000-00000000abcd"}`},
				{"poison", "another user", `{"user_id":"0190a0b2-7c3e-7000-8000-00000000abce"}`},
				{"outbox", "another topic", `{"user_id":"` + id + `"}`},
			} {
				if err := pub.Publish(m.topic, message.NewMessage(m.uuid, []byte(m.payload))); err != nil {
					t.Fatal(err)
				}
			}
			n, err := sqlpubsub.DeleteMentioning(context.Background(), db.Write, db.Dialect(), "poison", []byte(id))
			if err != nil || n != 2 {
				t.Fatalf("deleted %d (err %v), want the 2 poisoned messages holding the id", n, err)
			}
			left := sqldbtest.Strings(t, db, `SELECT uuid FROM pubsub_messages ORDER BY seq`)
			if want := []string{"upper case", "wildcards", "another user", "another topic"}; !slices.Equal(left, want) {
				t.Fatalf("left %q, want %q", left, want)
			}
			if _, err := sqlpubsub.DeleteMentioning(context.Background(), db.Write, db.Dialect(), "poison", nil); err == nil {
				t.Fatal("an empty needle was accepted")
			}
		})
	}
}
