package app

import (
	"context"

	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
)

// Handlers are the users events orders consumes.
func (s *Service) Handlers() []messaging.Handler {
	return s.store.Consume([]EventHandler{
		{Topic: userevents.TopicUserAddressUpdated, Apply: onAddressUpdated},
		{Topic: userevents.TopicUserDeleted, Apply: onUserDeleted},
	})
}

// onAddressUpdated keeps the replica of the user's address.
func onAddressUpdated(ctx context.Context, users Users, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserAddressUpdated](ev)
	if err != nil {
		return err
	}
	u, err := users.Lock(ctx, e.UserID)
	if err != nil {
		return err
	}
	// Events of different topics may arrive in any order: an address that
	// comes after the user's deletion is not kept.
	if deleted, err := u.Deleted(ctx); err != nil || deleted {
		return err
	}
	r, err := u.Replica(ctx)
	if err != nil || !r.Update(fromUsersAddress(e.Address), e.UpdatedAt) {
		return err
	}
	return u.SaveReplica(ctx, r)
}

// fromUsersAddress maps the users module's published address to the
// module's own.
func fromUsersAddress(a userevents.Address) Address {
	return Address{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
}

// onUserDeleted cancels the user's open orders, remembers that the user is
// gone, and erases what the module holds about them (erase.go).
func onUserDeleted(ctx context.Context, users Users, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserDeleted](ev)
	if err != nil {
		return err
	}
	u, err := users.Lock(ctx, e.UserID)
	if err != nil {
		return err
	}
	open, err := u.OpenOrders(ctx)
	if err != nil {
		return err
	}
	at := now()
	for _, o := range open {
		if err := o.Cancel(ReasonUserDeleted, at); err != nil {
			return err
		}
		if err := u.SaveOrder(ctx, o); err != nil {
			return err
		}
	}
	if err := u.MarkDeleted(ctx, at); err != nil {
		return err
	}
	return erase(ctx, u)
}
