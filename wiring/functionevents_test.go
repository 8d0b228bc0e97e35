package wiring_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/wiring"
)

// busMessage is a users event as the relay would put it on a queue.
func busMessage(t *testing.T, id, topic string, payload any) string {
	t.Helper()
	body, _ := json.Marshal(payload)
	m := message.NewMessage(id, body)
	m.Metadata.Set(messaging.MetaEventType, topic)
	m.Metadata.Set(messaging.MetaCorrelationID, "corr-"+id)
	wire, err := messaging.MarshalMessage(messagingtest.Signed(m))
	if err != nil {
		t.Fatal(err)
	}
	return string(wire)
}

// sqsRecord is the SQS fixture's record carrying body, as delivered for the
// receiveCount-th time.
func sqsRecord(t *testing.T, id, body, receiveCount string) map[string]any {
	t.Helper()
	template := fixture(t, "sqs-event.json")["Records"].([]any)[0].(map[string]any)
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

// sqsBatch hands records to module's function as one SQS event and returns
// the ids of the records it reported failed.
func (fs *lambdaFunctions) sqsBatch(t *testing.T, module string, records ...map[string]any) []string {
	t.Helper()
	ev := fixture(t, "sqs-event.json")
	recs := make([]any, len(records))
	for i, r := range records {
		recs[i] = r
	}
	ev["Records"] = recs
	payload, _ := json.Marshal(ev)
	out, err := fs.handlers[module].handler.Invoke(context.Background(), payload)
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
	var ids []string
	for _, f := range res.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestSQSBatchesReachTheModuleAndReportOnlyFailures(t *testing.T) {
	fs := startFunctions(t)
	record := func(id, body, receiveCount string) map[string]any { return sqsRecord(t, id, body, receiveCount) }
	userID := "0b9c4a34-6f51-4a3c-9d7e-2a8c1f1b5e01"
	registered := busMessage(t, "ev-1", "users.UserRegistered.v1",
		map[string]any{"user_id": userID, "email": "sqs@example.com", "name": "Q", "registered_at": "2026-11-21T10:00:00Z"})
	failures := fs.sqsBatch(t, "notifications",
		record("m-1", registered, "1"),
		record("m-2", registered, "2"), // a redelivery: the inbox absorbs it
		record("m-3", "this is not a bus message", "1"),
		record("m-4", busMessage(t, "ev-4", "users.UserRegistered.v1", map[string]any{"name": "no ids"}), "1"),
	)
	// Malformed records are poisoned at once and acknowledged: retrying cannot fix them.
	if len(failures) != 0 {
		t.Fatalf("failures %v", failures)
	}
	notifications := openModuleDB(t, wiring.Config{DataDir: fs.dataDir}, "notifications")
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
	_, err := fs.handlers["users"].handler.Invoke(context.Background(), scheduledEvent)
	if err == nil || !strings.Contains(err.Error(), "EVENTS_TOPIC_ARN") {
		t.Fatalf("a relay with no bus configured must refuse, not drop events: %v", err)
	}
}

// fakeSNS answers the SNS Publish action (AWS query protocol) and keeps what
// it was sent. It stands in for Amazon SNS, which cannot run here. While
// failing, it answers every publish 500, as SNS does when it fails
// internally, and keeps nothing.
type fakeSNS struct {
	mu       sync.Mutex
	messages []url.Values
	failing  atomic.Bool
	attempts atomic.Int32
}

func (f *fakeSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "Publish" {
		http.Error(w, "unsupported", http.StatusBadRequest)
		return
	}
	f.attempts.Add(1)
	if f.failing.Load() {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>fake failure</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
		return
	}
	f.mu.Lock()
	f.messages = append(f.messages, r.Form)
	n := len(f.messages)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-%d</MessageId></PublishResult><ResponseMetadata><RequestId>r-%d</RequestId></ResponseMetadata></PublishResponse>`, n, n)
}

func (f *fakeSNS) published() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.messages)
}

// scheduledEvent has the documented shape of an EventBridge schedule's event
// (aws-lambda-go ships no fixture for it).
var scheduledEvent = []byte(`{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
"source":"aws.events","account":"123456789012","time":"2026-11-21T18:43:48Z","region":"eu-west-1",
"resources":["arn:aws:events:eu-west-1:123456789012:rule/relay"],"detail":{}}`)

// startSNS serves a fakeSNS and points the AWS SDK of functions started
// after it at it.
func startSNS(t *testing.T) *fakeSNS {
	t.Helper()
	sns := &fakeSNS{}
	srv := httptest.NewServer(sns)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_SNS", srv.URL)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return sns
}

const topicARN = "arn:aws:sns:eu-west-1:123456789012:modmono-events"

// TestEventsFlowBetweenFunctions follows an event the way it travels between
// deployed functions when only the sweep publishes (inline publishing off):
// HTTP into users, the scheduled relay to SNS, the SNS message as an SQS
// record into notifications.
func TestEventsFlowBetweenFunctions(t *testing.T) {
	sns := startSNS(t)
	fs := startFunctions(t, "EVENTS_TOPIC_ARN", topicARN, "INLINE_PUBLISH_TIMEOUT", "0")

	var u user
	fs.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": "flow@example.com", "password": "password123", "name": "Flow"}}).expect(t, 201).decode(t, &u)

	relay := func() int {
		out, err := fs.handlers["users"].handler.Invoke(context.Background(), scheduledEvent)
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Relayed int }
		_ = json.Unmarshal(out, &res)
		return res.Relayed
	}
	if n := relay(); n != 1 {
		t.Fatalf("relayed %d events, want the one UserRegistered", n)
	}
	if n := relay(); n != 0 {
		t.Fatalf("a second run relayed %d events again", n)
	}
	var left int
	if err := openModuleDB(t, wiring.Config{DataDir: fs.dataDir}, "users").Read.QueryRow(`SELECT count(*) FROM pubsub_messages`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d relayed events left in the outbox (%v)", left, err)
	}
	published := sns.published()
	if len(published) != 1 {
		t.Fatalf("SNS got %d messages", len(published))
	}
	form := published[0]
	if form.Get("TopicArn") != topicARN ||
		form.Get("MessageAttributes.entry.1.Name") != "event_type" ||
		form.Get("MessageAttributes.entry.1.Value.StringValue") != "users.UserRegistered.v1" {
		t.Fatalf("SNS publish: %v", form)
	}

	// SNS delivers to the notifications queue with raw message delivery.
	ev := fixture(t, "sqs-event.json")
	rec := ev["Records"].([]any)[0].(map[string]any)
	rec["body"] = form.Get("Message")
	payload, _ := json.Marshal(ev)
	if _, err := fs.handlers["notifications"].handler.Invoke(context.Background(), payload); err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	fs.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{
		"email": "flow@example.com", "password": "password123"}}).expect(t, 200).decode(t, &tok)
	var page struct {
		Items []notification `json:"items"`
	}
	fs.do(t, request{Method: "GET", Path: "/v1/notifications", Token: tok.AccessToken}).expect(t, 200).decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Kind != "welcome" {
		t.Fatalf("notifications %+v", page.Items)
	}
}
