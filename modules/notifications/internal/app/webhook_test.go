package app

import (
	"encoding/json"
	"testing"
	"time"
)

// The document a webhook receives is a contract with its provider: this
// is it, byte for byte.
func TestANotificationPostsToTheWebhookAsDocumented(t *testing.T) {
	n := Notification{Seq: 3, ID: "n1", UserID: "u1", Kind: KindWelcome, Subject: "Welcome, Ada!",
		Body: "Your account ada@example.com is ready.", EventID: "e1", Email: "ada@example.com", Name: "Ada",
		CreatedAt: time.Date(2026, 11, 22, 11, 0, 0, 5, time.FixedZone("CET", 3600))}
	tests := []struct {
		name string
		n    Notification
		want string
	}{
		{"with the recipient", n, `{"id":"n1","kind":"welcome","user_id":"u1","email":"ada@example.com","name":"Ada",` +
			`"subject":"Welcome, Ada!","body":"Your account ada@example.com is ready.","event_id":"e1",` +
			`"created_at":"2026-11-22T10:00:00.000000005Z"}`},
		{"while the recipient is unknown", Notification{ID: "n2", UserID: "u2", Kind: KindOrderCancelled, Subject: "s",
			Body: "b", EventID: "e2", CreatedAt: n.CreatedAt}, `{"id":"n2","kind":"order_cancelled","user_id":"u2",` +
			`"subject":"s","body":"b","event_id":"e2","created_at":"2026-11-22T10:00:00.000000005Z"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(toWebhookBody(tc.n))
			if err != nil || string(b) != tc.want {
				t.Errorf("posted\n%s\nwant\n%s (err %v)", b, tc.want, err)
			}
		})
	}
}
