package store

import (
	"testing"
	"time"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/sqldb"
)

func TestANotificationMapsToItsRowAndBack(t *testing.T) {
	n := app.Notification{Seq: 3, ID: "n1", UserID: "u1", Kind: app.KindWelcome, Subject: "Welcome, Ada!",
		Body: "Your account ada@example.com is ready.", EventID: "e1", Email: "ada@example.com", Name: "Ada",
		CreatedAt: time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)}
	row := toNotificationRow(n)
	if row.ID != n.ID || row.UserID != n.UserID || row.Kind != n.Kind || row.EventID != n.EventID ||
		row.CreatedAt != sqldb.Time(n.CreatedAt) || row.Email != n.Email {
		t.Errorf("row %+v of %+v", row, n)
	}
	if back := toNotification(row); back != n {
		t.Errorf("read back as %+v, want %+v", back, n)
	}
}

func TestAContactMapsToTheRecipientsRow(t *testing.T) {
	got := toRecipientRow("u1", app.Contact{Email: "ada@example.com", Name: "Ada"})
	if want := (recipientRow{UserID: "u1", Email: "ada@example.com", Name: "Ada"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// The created_at text a row holds is the one rows stored before the store
// owned its types: nanoseconds, in UTC.
func TestACreationTimeIsStoredAsBefore(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	v, err := toNotificationRow(app.Notification{CreatedAt: at}).CreatedAt.Value()
	if err != nil || v != "2026-11-22T09:00:00.000000000Z" {
		t.Errorf("created_at stored as %v (err %v)", v, err)
	}
}
