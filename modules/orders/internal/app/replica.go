package app

import (
	"context"

	"example.com/modmono/modules/orders/events"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// Handlers are the users events orders consumes.
func (s *Service) Handlers() []messaging.Handler {
	return []messaging.Handler{
		{Topic: userevents.TopicUserAddressUpdated, Apply: s.onAddressUpdated},
		{Topic: userevents.TopicUserDeleted, Apply: s.onUserDeleted},
	}
}

// onAddressUpdated keeps the replica of the user's address.
func (s *Service) onAddressUpdated(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserAddressUpdated](ev)
	if err != nil {
		return err
	}
	if err := s.store.LockUser(ctx, tx, e.UserID); err != nil {
		return err
	}
	// Events of different topics may arrive in any order: an address that
	// comes after the user's deletion is not kept.
	if deleted, err := s.store.IsUserDeleted(ctx, tx, e.UserID); err != nil || deleted {
		return err
	}
	return s.store.PutUserAddress(ctx, tx, e.UserID, Address(e.Address), e.UpdatedAt)
}

// onUserDeleted cancels the user's open orders, remembers that the user is
// gone, and erases what the module holds about them (erase.go).
func (s *Service) onUserDeleted(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
	e, err := messaging.Decode[userevents.UserDeleted](ev)
	if err != nil {
		return err
	}
	if err := s.store.LockUser(ctx, tx, e.UserID); err != nil {
		return err
	}
	open, err := s.store.OpenByUser(ctx, tx, e.UserID)
	if err != nil {
		return err
	}
	at := now()
	for _, o := range open {
		if err := s.store.SetStatus(ctx, tx, o.ID, StatusCancelled, at); err != nil {
			return err
		}
		if err := s.outbox.Add(ctx, tx, events.TopicOrderCancelled, cancelledEvent(o, events.ReasonUserDeleted, at)); err != nil {
			return err
		}
	}
	if err := s.store.MarkUserDeleted(ctx, tx, e.UserID, at); err != nil {
		return err
	}
	return s.erase(ctx, tx, e.UserID)
}
