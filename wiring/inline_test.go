package wiring_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// Functions publish the events they commit themselves, right after the
// commit and before they answer; the scheduled relay sweeps up what that
// left behind. SNS is a fake here (fakeSNS, AWS's query protocol on
// loopback); the functions, their SQLite or PostgreSQL databases, Echo and
// Watermill are the real ones.

// relay runs module's scheduled relay once and returns how many events it
// published.
func (fs *lambdaFunctions) relay(t *testing.T, module string) int {
	t.Helper()
	out, err := fs.handlers[module].handler.Invoke(context.Background(), scheduledEvent)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Relayed int }
	_ = json.Unmarshal(out, &res)
	return res.Relayed
}

// eventTypes lists the event types SNS was sent, in order.
func (f *fakeSNS) eventTypes() []string {
	var out []string
	for _, form := range f.published() {
		out = append(out, form.Get("MessageAttributes.entry.1.Value.StringValue"))
	}
	return out
}

// onEveryEngine runs test once on SQLite, and once on PostgreSQL when
// TEST_DATABASE_URL offers one, handing it the functions' extra environment.
func onEveryEngine(t *testing.T, test func(t *testing.T, env ...string)) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			if engine == sqldb.Postgres {
				test(t, "DATABASE_URL", sqldbtest.PostgresURL(t))
				return
			}
			test(t)
		})
	}
}

func TestAnHTTPFunctionPublishesWhatItCommittedBeforeItAnswers(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, env ...string) {
		sns := startSNS(t)
		fs := startFunctions(t, append(env, "EVENTS_TOPIC_ARN", topicARN)...)

		start := time.Now()
		fs.invoke(t, "users", request{Method: "POST", Path: "/v1/users", Body: map[string]string{
			"email": "inline@example.com", "password": "password123", "name": "Inline"}}).expect(t, 201)
		took := time.Since(start)
		if got := sns.eventTypes(); len(got) != 1 || got[0] != "users.UserRegistered.v1" {
			t.Fatalf("SNS had %v when the function answered, want the UserRegistered it committed", got)
		}
		if took > time.Second {
			t.Errorf("request to answer, the event published, took %s", took)
		}
		if n := fs.relay(t, "users"); n != 0 {
			t.Fatalf("the sweep published %d events the request had published already", n)
		}
		// A request that commits no event does not run the relay at all.
		before := sns.attempts.Load()
		fs.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{"email": "x"}}).expectProblem(t, 400, "email", "password", "name")
		if sns.attempts.Load() != before {
			t.Fatal("a request that committed nothing published")
		}
	})
}

func TestAPublishThatFailsLeavesTheEventsForTheSweep(t *testing.T) {
	onEveryEngine(t, func(t *testing.T, env ...string) {
		sns := startSNS(t)
		const timeout = 300 * time.Millisecond
		fs := startFunctions(t, append(env, "EVENTS_TOPIC_ARN", topicARN, "INLINE_PUBLISH_TIMEOUT", timeout.String())...)

		sns.failing.Store(true)
		start := time.Now()
		fs.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
			"email": "down@example.com", "password": "password123", "name": "Down"}}).expect(t, 201)
		took := time.Since(start)
		if sns.attempts.Load() == 0 {
			t.Fatal("the function did not try to publish")
		}
		if took > timeout+time.Second {
			t.Errorf("a failing publish held the answer for %s, past INLINE_PUBLISH_TIMEOUT=%s", took, timeout)
		}

		sns.failing.Store(false)
		if n := fs.relay(t, "users"); n != 1 {
			t.Fatalf("the sweep published %d events, want the one the failed publish left", n)
		}
		if got := sns.eventTypes(); len(got) != 1 || got[0] != "users.UserRegistered.v1" {
			t.Fatalf("SNS got %v", got)
		}
	})
}

// orders' events function cancels a deleted user's open orders, which
// commits OrderCancelled events: it publishes them before it answers SQS.
func TestAnEventsFunctionPublishesWhatItsHandlersCommitted(t *testing.T) {
	sns := startSNS(t)
	fs := startFunctions(t, "EVENTS_TOPIC_ARN", topicARN)
	const userID = "0190a0b2-7c3e-7000-8000-00000000a11e"
	moved := busMessage(t, "ev-moved", "users.UserAddressUpdated.v1",
		map[string]any{"user_id": userID, "address": testAddress, "updated_at": "2026-11-22T10:00:00Z"})
	if failed := fs.sqsBatch(t, "orders", sqsRecord(t, "m-1", moved, "1")); len(failed) != 0 {
		t.Fatalf("the address event failed: %v", failed)
	}
	tokens, err := auth.NewTokens([]byte(testEnv["JWT_SECRET"]), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := tokens.Issue(userID)
	fs.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("IN-1")}).expect(t, 201)

	deleted := busMessage(t, "ev-deleted", "users.UserDeleted.v1",
		map[string]any{"user_id": userID, "deleted_at": "2026-11-22T11:00:00Z"})
	if failed := fs.sqsBatch(t, "orders", sqsRecord(t, "m-2", deleted, "1")); len(failed) != 0 {
		t.Fatalf("the deletion failed: %v", failed)
	}
	if got := strings.Join(sns.eventTypes(), " "); got != "orders.OrderPlaced.v1 orders.OrderCancelled.v1" {
		t.Fatalf("SNS got %s when the events function answered, want the order placed then cancelled", got)
	}
	if n := fs.relay(t, "orders"); n != 0 {
		t.Fatalf("the sweep published %d events again", n)
	}
}
