package wiring_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	cloudevents "github.com/cloudevents/sdk-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/gcffn"
	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

// startPubSub serves pstest, the fake that ships with the Pub/Sub Go
// client, as PUBSUB_EMULATOR_HOST, with a topic and a subscription to it
// taking what filter selects; admin reaches it.
func startPubSub(t *testing.T, filter string) (admin *pubsub.Client, topic, sub string) {
	t.Helper()
	srv := pstest.NewServer()
	t.Cleanup(func() { srv.Close() })
	t.Setenv("PUBSUB_EMULATOR_HOST", srv.Addr)
	topic, sub = "projects/p/topics/events", "projects/p/subscriptions/notifications"
	ctx := context.Background()
	conn, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	admin, err = pubsub.NewClient(ctx, "p", option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{Name: sub, Topic: topic, Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	return admin, topic, sub
}

// On Google Cloud, Cloud Scheduler POSTs to orders-relay, which publishes
// the outbox to the Pub/Sub topic; the notifications push subscription
// hands each message to notifications-events. Pub/Sub here is pstest, the
// fake that ships with its Go client, reached as PUBSUB_EMULATOR_HOST.
func TestCloudFunctionsRelayThroughPubSub(t *testing.T) {
	admin, topic, sub := startPubSub(t, `attributes.event_type = "orders.OrderPlaced.v1"`)
	ctx := context.Background()

	dir := t.TempDir()
	function := func(target string) *wiring.Function {
		// The sweep alone publishes: TestACloudFunctionPublishesWhatItCommitted
		// has the HTTP function publish on its own.
		cfg := testConfig(t, dir, "APP_MODE", "gcf", "FUNCTION_TARGET", target, "PUBSUB_TOPIC", topic, "INLINE_PUBLISH_TIMEOUT", "0")
		f, cleanup, err := wiring.InitializeFunction(cfg, logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON),
			wiring.ModuleName(cfg.Module))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cleanup)
		return f
	}
	orders, notifications := function("orders-relay"), function("notifications-events")

	tokens, err := auth.NewTokens([]byte(testEnv["JWT_SECRET"]), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := tokens.Issue("0190a0b2-7c3e-7000-8000-00000000beef")
	body, _ := json.Marshal(orderBody("GC-1"))
	req := httptest.NewRequest("POST", "/v1/orders", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	orders.Echo.ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Fatalf("place order: %d %s", rec.Code, rec.Body)
	}

	// Cloud Scheduler's call: a POST with its User-Agent (and, deployed, an
	// OIDC token that Cloud Functions checks before the function runs).
	relay := gcffn.Relay(orders.RelayOnce, logging.New(&logBuffer{t: t}, 0, logging.JSON))
	req = httptest.NewRequest("POST", "/", nil)
	req.Header.Set("User-Agent", "Google-Cloud-Scheduler")
	rec = httptest.NewRecorder()
	relay(rec, req)
	if rec.Code != 200 || rec.Body.String() != "{\"relayed\":1}\n" {
		t.Fatalf("relay: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	relay(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET on the relay: %d", rec.Code)
	}

	pulled, err := admin.SubscriptionAdminClient.Pull(ctx, &pubsubpb.PullRequest{Subscription: sub, MaxMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(pulled.ReceivedMessages) != 1 {
		t.Fatalf("the subscription received %d messages, want 1", len(pulled.ReceivedMessages))
	}
	m := pulled.ReceivedMessages[0].Message
	// The push subscription's delivery, as the events function receives it.
	data, _ := json.Marshal(map[string]any{"subscription": sub, "message": map[string]any{
		"messageId": m.MessageId, "data": m.Data, "attributes": m.Attributes}})
	e := cloudevents.NewEvent()
	e.SetID(m.MessageId)
	e.SetType("google.cloud.pubsub.topic.v1.messagePublished")
	e.SetSource("//pubsub.googleapis.com/" + topic)
	if err := e.SetData(cloudevents.ApplicationJSON, json.RawMessage(data)); err != nil {
		t.Fatal(err)
	}
	apply := gcffn.Events(notifications.Processor, logging.New(&logBuffer{t: t}, 0, logging.JSON))
	if err := apply(ctx, e); err != nil {
		t.Fatal(err)
	}
	req = httptest.NewRequest("GET", "/v1/notifications", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec = httptest.NewRecorder()
	notifications.Echo.ServeHTTP(rec, req)
	var page struct {
		Items []struct {
			Kind string `json:"kind"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page.Items) != 1 || page.Items[0].Kind != "order_placed" {
		t.Fatalf("notifications after the relay: %d %s", rec.Code, rec.Body)
	}
}

// On Google Cloud the HTTP function publishes what it committed to the
// topic before it answers: the message is on the subscription with no call
// to the relay, which then finds nothing left. Pub/Sub is pstest.
func TestACloudFunctionPublishesWhatItCommitted(t *testing.T) {
	admin, topic, sub := startPubSub(t, `attributes.event_type = "orders.OrderPlaced.v1"`)
	t.Setenv("FUNCTION_TARGET", "orders") // the Functions Framework reads it from the environment
	cfg := testConfig(t, t.TempDir(), "APP_MODE", "gcf", "FUNCTION_TARGET", "orders", "PUBSUB_TOPIC", topic)
	logger := logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON)
	orders, cleanup, err := wiring.InitializeFunction(cfg, logger, "orders")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	h, err := wiring.GCFHandler(orders, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}

	tokens, err := auth.NewTokens([]byte(testEnv["JWT_SECRET"]), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := tokens.Issue("0190a0b2-7c3e-7000-8000-00000000cafe")
	body, _ := json.Marshal(orderBody("GC-2"))
	req := httptest.NewRequest("POST", "/v1/orders", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	took := time.Since(start)
	if rec.Code != 201 {
		t.Fatalf("place order: %d %s", rec.Code, rec.Body)
	}
	ctx := context.Background()
	pulled, err := admin.SubscriptionAdminClient.Pull(ctx, &pubsubpb.PullRequest{Subscription: sub, MaxMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(pulled.ReceivedMessages) != 1 {
		t.Fatalf("the subscription holds %d messages once the function answered, want its OrderPlaced", len(pulled.ReceivedMessages))
	}
	if took > time.Second {
		t.Errorf("request to answer, the event published, took %s", took)
	}
	if n, err := orders.RelayOnce(ctx); err != nil || n != 0 {
		t.Fatalf("the sweep published %d events again (%v)", n, err)
	}
}
