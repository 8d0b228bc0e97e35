package store

import (
	"context"
	"fmt"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// publish writes evs to the module's outbox in tx, as the module's public
// event contracts.
func (s *Store) publish(ctx context.Context, tx *sqldb.Tx, evs []app.Event) error {
	return messaging.AddAll(ctx, s.outbox, tx, evs, toPublished)
}

// toPublished maps a domain event to its topic and contract payload.
func toPublished(e app.Event) (topic string, payload any, err error) {
	switch e := e.(type) {
	case app.UserRegistered:
		u := e.User
		return events.TopicUserRegistered, events.UserRegistered{
			UserID: u.ID, Email: u.Email, Name: u.Name, RegisteredAt: u.CreatedAt,
		}, nil
	case app.UserAddressUpdated:
		return events.TopicUserAddressUpdated, events.UserAddressUpdated{
			UserID: e.UserID, Address: toEventAddress(e.Address), UpdatedAt: e.At,
		}, nil
	case app.UserDeleted:
		return events.TopicUserDeleted, events.UserDeleted{UserID: e.UserID, DeletedAt: e.At}, nil
	}
	return "", nil, fmt.Errorf("store: no contract for event %T", e)
}

func toEventAddress(a app.Address) events.Address {
	return events.Address{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
}
