package app

import (
	"context"
	"database/sql"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/modules/users/internal/store"
	"example.com/modmono/platform/validate"
)

// SetAddress replaces userID's address and publishes UserAddressUpdated.
func (s *Service) SetAddress(ctx context.Context, userID string, a validate.Address) (User, error) {
	var v validate.Validator
	v.Address("", &a)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	addr := store.Address{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
	var u store.User
	err := s.db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		at := now()
		if err := store.SetAddress(ctx, tx, userID, addr, at); err != nil {
			return notFound(err)
		}
		var err error
		if u, err = store.ByID(ctx, tx, userID); err != nil {
			return err
		}
		return s.outbox.Add(ctx, tx, events.TopicUserAddressUpdated, events.UserAddressUpdated{
			UserID:    userID,
			Address:   events.Address(a),
			UpdatedAt: at,
		})
	})
	if err != nil {
		return User{}, err
	}
	return fromStore(u), nil
}
