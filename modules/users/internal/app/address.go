package app

import (
	"context"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/validate"
)

// SetAddress replaces userID's address and publishes UserAddressUpdated.
func (s *Service) SetAddress(ctx context.Context, userID string, a Address) (User, error) {
	var v validate.Validator
	v.Address("", (*validate.Address)(&a))
	if err := v.Err(); err != nil {
		return User{}, err
	}
	var u User
	err := s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		at := now()
		if err := s.store.SetAddress(ctx, tx, userID, a, at); err != nil {
			return notFound(err)
		}
		var err error
		if u, err = s.store.ByID(ctx, tx, userID); err != nil {
			return err
		}
		return s.outbox.Add(ctx, tx, events.TopicUserAddressUpdated, events.UserAddressUpdated{
			UserID:    userID,
			Address:   events.Address(a),
			UpdatedAt: at,
		})
	})
	return u, err
}
