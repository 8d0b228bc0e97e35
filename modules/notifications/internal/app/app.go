// Package app turns events into notifications, lists them, and hands them
// to the Sender.
package app

import (
	"log/slog"
	"time"

	"example.com/modmono/modules/notifications/internal/store"
	"example.com/modmono/platform/sqlitedb"
)

// Kinds of notification.
const (
	KindWelcome        = "welcome"
	KindAddressChanged = "address_changed"
	KindOrderPlaced    = "order_placed"
	KindOrderCancelled = "order_cancelled"
)

// Service runs the notifications use cases against the notifications database.
type Service struct {
	db     *sqlitedb.DB
	sender Sender
	logger *slog.Logger
}

// New returns the Service; sender delivers stored notifications.
func New(db *sqlitedb.DB, sender Sender, logger *slog.Logger) *Service {
	return &Service{db: db, sender: sender, logger: logger}
}

// Notification is a notification as the API shows it.
type Notification = store.Notification

func now() time.Time { return time.Now().UTC() }
