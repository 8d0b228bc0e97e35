package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"example.com/modmono/modules/notifications/internal/app"
)

func TestANotificationRendersAsTheAPIDocumentsIt(t *testing.T) {
	n := app.Notification{Seq: 3, ID: "n1", UserID: "u1", Kind: app.KindWelcome, Subject: "Welcome, Ada!",
		Body: "Your account ada@example.com is ready.", EventID: "e1", Email: "ada@example.com", Name: "Ada",
		CreatedAt: time.Date(2026, 11, 22, 10, 0, 0, 5, time.UTC)}
	b, err := json.Marshal(toResponse(n))
	want := `{"id":"n1","kind":"welcome","subject":"Welcome, Ada!","body":"Your account ada@example.com is ready.",` +
		`"created_at":"2026-11-22T10:00:00.000000005Z","event_id":"e1"}`
	if err != nil || string(b) != want {
		t.Errorf("rendered\n%s\nwant\n%s (err %v)", b, want, err)
	}
}
