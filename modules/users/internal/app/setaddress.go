package app

import "context"

// SetAddress replaces userID's address and publishes UserAddressUpdated.
func (s *Service) SetAddress(ctx context.Context, userID string, a Address) (User, error) {
	var out User
	err := s.store.UpdateUser(ctx, userID, func(u *User) error {
		// The time is taken under the user's lock, so that the order of
		// the updates is the order of their times (updated_at).
		if err := u.ChangeAddress(a, now()); err != nil {
			return err
		}
		out = *u
		return nil
	})
	return out, notFound(err)
}
