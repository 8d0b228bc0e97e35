package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	cloudevents "github.com/cloudevents/sdk-go/v2"
	_ "github.com/mattn/go-sqlite3"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/messaging/messagingtest"
)

// startFunction starts the binary as the Functions Framework would, serving
// the function target names (with env on top), and waits until it answers.
func startFunction(t *testing.T, bin, dataDir, target string, env ...string) *process {
	t.Helper()
	p := &process{bin: bin, dataDir: dataDir, port: freePort(t), t: t, env: append([]string{"FUNCTION_TARGET=" + target}, env...)}
	p.startNoWait()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s log:\n%s", target, p.log.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		// Any answer will do: an events function answers plain GETs with an error.
		if res, err := http.Get(p.url("/healthz")); err == nil {
			res.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start", target)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCloudFunctionsProcesses(t *testing.T) {
	bin := buildBinary(t)
	dataDir := t.TempDir()

	users := startFunction(t, bin, dataDir, "users")
	creds := map[string]string{"email": "gcf@example.com", "password": "password123", "name": "G"}
	var u struct {
		ID string `json:"id"`
	}
	if code, err := users.call(http.DefaultClient, "POST", "/v1/users", "", creds, &u); code != 201 {
		t.Fatalf("register through the users HTTP function: %d %v", code, err)
	}
	if code, _ := users.call(http.DefaultClient, "GET", "/v1/orders", "", nil, nil); code != 404 {
		t.Fatalf("the users function serves another module's route: %d", code)
	}

	events := startFunction(t, bin, dataDir, "notifications-events")
	registered := []byte(fmt.Sprintf(`{"user_id":%q,"email":"gcf@example.com","name":"G","registered_at":"2026-11-21T10:00:00Z"}`, u.ID))
	data, _ := json.Marshal(map[string]any{
		"subscription": "projects/p/subscriptions/notifications",
		"message": map[string]any{
			"messageId":  "pubsub-1",
			"data":       registered,
			"attributes": signedAttributes("ev-gcf-1", "users.UserRegistered.v1", registered, "correlation_id", "corr-gcf"),
		},
	})
	client, err := cloudevents.NewClientHTTP(cloudevents.WithTarget(events.url("/")))
	if err != nil {
		t.Fatal(err)
	}
	send := func(id string, body []byte) {
		e := cloudevents.NewEvent()
		e.SetID(id)
		e.SetType("google.cloud.pubsub.topic.v1.messagePublished")
		e.SetSource("//pubsub.googleapis.com/projects/p/topics/events")
		if err := e.SetData(cloudevents.ApplicationJSON, json.RawMessage(body)); err != nil {
			t.Fatal(err)
		}
		if res := client.Send(context.Background(), e); !cloudevents.IsACK(res) {
			t.Fatalf("event %s not acknowledged: %v", id, res)
		}
	}
	send("ce-1", data)
	send("ce-2", data) // Pub/Sub redelivers: the inbox absorbs it
	send("ce-3", []byte(`{"unexpected":true}`))

	// A Pub/Sub push subscription posts its own JSON, not a CloudEvent, to
	// the endpoint .../projects/<p>/topics/<t>: the framework converts it.
	const pushedUser = "0190a0b2-7c3e-7000-8000-0000000000b2"
	pushed := []byte(fmt.Sprintf(`{"user_id":%q,"email":"push@example.com","name":"P","registered_at":"2026-11-22T10:00:00Z"}`, pushedUser))
	push, _ := json.Marshal(map[string]any{
		"subscription": "projects/p/subscriptions/notifications",
		"message": map[string]any{
			"messageId":   "pubsub-push-1",
			"publishTime": "2026-11-22T10:00:00Z",
			"data":        pushed,
			"attributes":  signedAttributes("ev-gcf-push", "users.UserRegistered.v1", pushed),
		},
	})
	res, err := http.Post(events.url("/projects/p/topics/events"), "application/json", bytes.NewReader(push))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("a push subscription's delivery: %d", res.StatusCode)
	}

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dataDir, "notifications.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var welcomes, poisoned int
	if err := db.QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'welcome'`, u.ID).Scan(&welcomes); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM pubsub_messages WHERE topic = 'poison'`).Scan(&poisoned); err != nil {
		t.Fatal(err)
	}
	if welcomes != 1 || poisoned != 1 {
		t.Fatalf("%d welcome notifications (want 1), %d poisoned (want 1)", welcomes, poisoned)
	}
	if err := db.QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'welcome'`, pushedUser).Scan(&welcomes); err != nil {
		t.Fatal(err)
	}
	if welcomes != 1 {
		t.Fatalf("%d welcome notifications from the pushed event, want 1", welcomes)
	}
}

// signedAttributes are the Pub/Sub attributes of the event id on topic
// with payload, as the users relay publishes it: signed by users. extra
// (name, value, …) adds metadata.
func signedAttributes(id, topic string, payload []byte, extra ...string) map[string]string {
	m := message.NewMessage(id, payload)
	m.Metadata.Set(messaging.MetaEventType, topic)
	for i := 0; i+1 < len(extra); i += 2 {
		m.Metadata.Set(extra[i], extra[i+1])
	}
	return messagingtest.Signed(m).Metadata
}
