package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// The orders module deployed as two Cloud Functions, its events function
// and its HTTP function, in two processes with nothing in common but
// DATABASE_URL: the address the events function replicates is the one the
// HTTP function ships an order to.
func TestFunctionsShareOnlyPostgres(t *testing.T) {
	dbURL := sqldbtest.PostgresURL(t)
	bin := buildBinary(t)
	start := func(target string) *process { return startFunction(t, bin, t.TempDir(), target, "DATABASE_URL="+dbURL) }
	events, orders := start("orders-events"), start("orders")

	const userID = "0190a0b2-7c3e-7000-8000-00000000f00d"
	address := map[string]string{"line1": "9 Quay St", "city": "Dublin", "postal_code": "D02", "country": "IE"}
	moved := mustJSON(t, map[string]any{"user_id": userID, "address": address, "updated_at": "2026-11-22T10:00:00Z"})
	data, _ := json.Marshal(map[string]any{
		"subscription": "projects/p/subscriptions/orders",
		"message": map[string]any{
			"messageId":  "pubsub-addr-1",
			"data":       moved,
			"attributes": signedAttributes("ev-addr-1", "users.UserAddressUpdated.v1", moved, "correlation_id", "corr-addr"),
		},
	})
	client, err := cloudevents.NewClientHTTP(cloudevents.WithTarget(events.url("/")))
	if err != nil {
		t.Fatal(err)
	}
	e := cloudevents.NewEvent()
	e.SetID("ce-addr-1")
	e.SetType("google.cloud.pubsub.topic.v1.messagePublished")
	e.SetSource("//pubsub.googleapis.com/projects/p/topics/events")
	if err := e.SetData(cloudevents.ApplicationJSON, json.RawMessage(data)); err != nil {
		t.Fatal(err)
	}
	if res := client.Send(context.Background(), e); !cloudevents.IsACK(res) {
		t.Fatalf("the address event was not acknowledged: %v", res)
	}

	tokens, err := auth.NewTokens([]byte("crash-test-secret-crash-test-secret-0001"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	token, err := tokens.Issue(userID)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"items": []map[string]any{{"sku": "FN", "quantity": 1, "unit_price_cents": 500}}, "currency": "EUR"}
	var o struct {
		ShippingAddress map[string]string `json:"shipping_address"`
	}
	if code, err := orders.call(http.DefaultClient, "POST", "/v1/orders", token, body, &o); code != 201 {
		t.Fatalf("an order without an address through the HTTP function: %d %v", code, err)
	}
	if fmt.Sprint(o.ShippingAddress) != fmt.Sprint(address) {
		t.Fatalf("shipped to %v, want the replicated %v", o.ShippingAddress, address)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
