package store

import (
	"time"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

// notificationRow is a row of notifications joined with its recipient's
// contact details (empty while the recipient is unknown or deleted).
type notificationRow struct {
	Seq       int64
	ID        string
	UserID    string
	Kind      string
	Subject   string
	Body      string
	EventID   string
	CreatedAt sqldb.Time
	Email     string
	Name      string
}

// recipientRow is a row of recipients holding a user's contact details.
type recipientRow struct {
	UserID string
	Email  string
	Name   string
}

const notificationColumns = `n.seq, n.id, n.user_id, n.kind, n.subject, n.body, n.event_id, n.created_at,
COALESCE(r.email, ''), COALESCE(r.name, '')`

const notificationsFrom = `notifications n LEFT JOIN recipients r ON r.user_id = n.user_id`

const selectNotifications = `SELECT ` + notificationColumns + ` FROM ` + notificationsFrom + ` `

// targets are where the notificationColumns of a row go.
func (r *notificationRow) targets() []any {
	return []any{&r.Seq, &r.ID, &r.UserID, &r.Kind, &r.Subject, &r.Body, &r.EventID, &r.CreatedAt, &r.Email, &r.Name}
}

func toNotificationRow(n app.Notification) notificationRow {
	return notificationRow{Seq: n.Seq, ID: n.ID, UserID: n.UserID, Kind: n.Kind, Subject: n.Subject, Body: n.Body,
		EventID: n.EventID, CreatedAt: sqldb.Time(n.CreatedAt), Email: n.Email, Name: n.Name}
}

func toNotification(r notificationRow) app.Notification {
	return app.Notification{Seq: r.Seq, ID: r.ID, UserID: r.UserID, Kind: r.Kind, Subject: r.Subject, Body: r.Body,
		EventID: r.EventID, CreatedAt: time.Time(r.CreatedAt), Email: r.Email, Name: r.Name}
}

func toRecipientRow(userID string, c app.Contact) recipientRow {
	return recipientRow{UserID: userID, Email: c.Email, Name: c.Name}
}

// Unsent is the notifications table as the Sender reads it, in the order
// stored, each with its recipient's contact details.
func Unsent() sqlpubsub.Table[app.Notification] {
	return sqlpubsub.Table[app.Notification]{
		From:    notificationsFrom,
		Alias:   "n",
		Columns: notificationColumns,
		Scan: func(scan func(dest ...any) error) (app.Notification, error) {
			var r notificationRow
			err := scan(r.targets()...)
			return toNotification(r), err
		},
	}
}
