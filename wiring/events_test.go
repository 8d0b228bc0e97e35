package wiring_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
)

// busMessage is a users event as the relay would put it on a queue.
func busMessage(t *testing.T, id, topic string, payload any) string {
	t.Helper()
	body, _ := json.Marshal(payload)
	m := message.NewMessage(id, body)
	m.Metadata.Set(messaging.MetaEventType, topic)
	m.Metadata.Set(messaging.MetaCorrelationID, "corr-"+id)
	wire, err := messaging.MarshalMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(wire)
}

func TestSQSBatchesReachTheModuleAndReportOnlyFailures(t *testing.T) {
	fs := startFunctions(t)
	ev := fixture(t, "sqs-event.json")
	template := ev["Records"].([]any)[0].(map[string]any)
	record := func(id, body, receiveCount string) map[string]any {
		r := map[string]any{}
		for k, v := range template {
			r[k] = v
		}
		attrs := map[string]any{}
		for k, v := range template["attributes"].(map[string]any) {
			attrs[k] = v
		}
		attrs["ApproximateReceiveCount"] = receiveCount
		r["messageId"], r["body"], r["attributes"] = id, body, attrs
		return r
	}
	userID := "0b9c4a34-6f51-4a3c-9d7e-2a8c1f1b5e01"
	registered := busMessage(t, "ev-1", "users.UserRegistered.v1",
		map[string]any{"user_id": userID, "email": "sqs@example.com", "name": "Q", "registered_at": "2026-11-21T10:00:00Z"})
	ev["Records"] = []any{
		record("m-1", registered, "1"),
		record("m-2", registered, "2"), // a redelivery: the inbox absorbs it
		record("m-3", "this is not a bus message", "1"),
		record("m-4", busMessage(t, "ev-4", "users.UserRegistered.v1", map[string]any{"name": "no ids"}), "1"),
	}
	payload, _ := json.Marshal(ev)
	out, err := fs.handlers["notifications"].handler.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	// Malformed records are poisoned at once and acknowledged: retrying cannot fix them.
	if len(res.BatchItemFailures) != 0 {
		t.Fatalf("failures %s", out)
	}
	notifications := openModuleDB(t, fs.dataDir, "notifications")
	var welcomes int
	if err := notifications.Read.QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'welcome'`, userID).Scan(&welcomes); err != nil {
		t.Fatal(err)
	}
	if welcomes != 1 {
		t.Fatalf("%d welcome notifications from one event delivered twice", welcomes)
	}
	var poisoned int
	if err := notifications.Read.QueryRow(`SELECT count(*) FROM pubsub_messages WHERE topic = 'poison'`).Scan(&poisoned); err != nil {
		t.Fatal(err)
	}
	if poisoned != 2 {
		t.Fatalf("%d poisoned records, want the 2 malformed ones", poisoned)
	}
}

func TestAScheduledEventRunsTheRelayOnce(t *testing.T) {
	fs := startFunctions(t)
	// The documented shape of an EventBridge schedule's event (aws-lambda-go
	// ships no fixture for it).
	payload := []byte(`{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
"source":"aws.events","account":"123456789012","time":"2026-11-21T18:43:48Z","region":"eu-west-1",
"resources":["arn:aws:events:eu-west-1:123456789012:rule/relay"],"detail":{}}`)
	_, err := fs.handlers["users"].handler.Invoke(context.Background(), payload)
	if err == nil || !strings.Contains(err.Error(), "EVENTS_TOPIC_ARN") {
		t.Fatalf("a relay with no bus configured must refuse, not drop events: %v", err)
	}
}
