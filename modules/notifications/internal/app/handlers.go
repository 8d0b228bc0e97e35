package app

import (
	"context"

	orderevents "example.com/modmono/modules/orders/events"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
)

// Handlers are the events notifications consumes.
func (s *Service) Handlers() []messaging.Handler {
	return s.store.Consume([]EventHandler{
		{Topic: userevents.TopicUserRegistered, Apply: onUserRegistered},
		{Topic: userevents.TopicUserAddressUpdated, Apply: onAddressUpdated},
		{Topic: userevents.TopicUserDeleted, Apply: onUserDeleted},
		{Topic: orderevents.TopicOrderPlaced, Apply: onOrderPlaced},
		{Topic: orderevents.TopicOrderCancelled, Apply: onOrderCancelled},
	})
}

// onUserRegistered keeps the user's contact details and welcomes them.
func onUserRegistered(ctx context.Context, recipients Recipients, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserRegistered](ev)
	if err != nil {
		return err
	}
	r, err := recipients.Lock(ctx, e.UserID)
	if err != nil {
		return err
	}
	c := Contact{Email: e.Email, Name: e.Name}
	if err := r.SaveContact(ctx, c); err != nil {
		return err
	}
	return r.AddNotification(ctx, Welcome(c).To(e.UserID, ev.ID, now()))
}

func onAddressUpdated(ctx context.Context, recipients Recipients, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserAddressUpdated](ev)
	if err != nil {
		return err
	}
	return notify(ctx, recipients, e.UserID, AddressChanged(fromUsersAddress(e.Address)), ev)
}

// fromUsersAddress maps the users module's published address to the
// module's own.
func fromUsersAddress(a userevents.Address) Address {
	return Address{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
}

func onOrderPlaced(ctx context.Context, recipients Recipients, ev messaging.Event) error {
	e, err := messaging.Decode[orderevents.OrderPlaced](ev)
	if err != nil {
		return err
	}
	o := PlacedOrder{ID: e.OrderID, Lines: len(e.Items), TotalCents: e.TotalCents, Currency: e.Currency}
	return notify(ctx, recipients, e.UserID, OrderPlaced(o), ev)
}

func onOrderCancelled(ctx context.Context, recipients Recipients, ev messaging.Event) error {
	e, err := messaging.Decode[orderevents.OrderCancelled](ev)
	if err != nil {
		return err
	}
	return notify(ctx, recipients, e.UserID, OrderCancelled(e.OrderID), ev)
}

// onUserDeleted erases what the module holds about the user (erase.go).
func onUserDeleted(ctx context.Context, recipients Recipients, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserDeleted](ev)
	if err != nil {
		return err
	}
	r, err := recipients.Lock(ctx, e.UserID)
	if err != nil {
		return err
	}
	return erase(ctx, r)
}

// notify stores m, made from ev, for userID, unless the user is deleted.
func notify(ctx context.Context, recipients Recipients, userID string, m Message, ev messaging.Event) error {
	r, err := recipients.Lock(ctx, userID)
	if err != nil {
		return err
	}
	return r.AddNotification(ctx, m.To(userID, ev.ID, now()))
}
