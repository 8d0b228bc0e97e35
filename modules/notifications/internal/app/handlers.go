package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	orderevents "example.com/modmono/modules/orders/events"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// Handlers are the events notifications consumes.
func (s *Service) Handlers() []messaging.Handler {
	return []messaging.Handler{
		{Topic: userevents.TopicUserRegistered, Apply: s.onUserRegistered},
		{Topic: userevents.TopicUserAddressUpdated, Apply: s.onAddressUpdated},
		{Topic: userevents.TopicUserDeleted, Apply: s.onUserDeleted},
		{Topic: orderevents.TopicOrderPlaced, Apply: s.onOrderPlaced},
		{Topic: orderevents.TopicOrderCancelled, Apply: s.onOrderCancelled},
	}
}

func (s *Service) onUserRegistered(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserRegistered](ev)
	if err != nil {
		return err
	}
	if err := s.store.PutRecipient(ctx, tx, e.UserID, e.Email, e.Name); err != nil {
		return err
	}
	return s.notify(ctx, tx, ev, e.UserID, KindWelcome, "Welcome, "+e.Name+"!",
		fmt.Sprintf("Your account %s is ready.", e.Email))
}

func (s *Service) onAddressUpdated(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserAddressUpdated](ev)
	if err != nil {
		return err
	}
	a := e.Address
	line := strings.Join(nonEmpty(a.Line1, a.Line2, a.PostalCode+" "+a.City, a.Country), ", ")
	return s.notify(ctx, tx, ev, e.UserID, KindAddressChanged, "Your address was changed",
		"Your address is now: "+line+".")
}

func (s *Service) onOrderPlaced(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	e, err := messaging.Decode[orderevents.OrderPlaced](ev)
	if err != nil {
		return err
	}
	return s.notify(ctx, tx, ev, e.UserID, KindOrderPlaced, "Order placed",
		fmt.Sprintf("Your order %s of %d item(s) for %s %s is placed.", e.OrderID, len(e.Items), money(e.TotalCents), e.Currency))
}

func (s *Service) onOrderCancelled(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	e, err := messaging.Decode[orderevents.OrderCancelled](ev)
	if err != nil {
		return err
	}
	return s.notify(ctx, tx, ev, e.UserID, KindOrderCancelled, "Order cancelled",
		fmt.Sprintf("Your order %s is cancelled.", e.OrderID))
}

// onUserDeleted erases what the module holds about the user (erase.go).
func (s *Service) onUserDeleted(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserDeleted](ev)
	if err != nil {
		return err
	}
	if err := s.store.LockUser(ctx, tx, e.UserID); err != nil {
		return err
	}
	return s.erase(ctx, tx, e.UserID)
}

// notify stores one notification for the event, unless its user is deleted
// (events of different topics may arrive in any order, or at once).
func (s *Service) notify(ctx context.Context, tx *sqldb.Tx, ev messaging.Event, userID, kind, subject, body string) error {
	if err := s.store.LockUser(ctx, tx, userID); err != nil {
		return err
	}
	id, _ := uuid.NewV7()
	return s.store.Insert(ctx, tx, Notification{
		ID: id.String(), UserID: userID, Kind: kind, Subject: subject, Body: body, EventID: ev.ID, CreatedAt: now(),
	})
}

func money(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

func nonEmpty(parts ...string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
