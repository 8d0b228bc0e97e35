package app

import (
	"context"

	"example.com/modmono/modules/users/internal/store"
)

// Me returns the account of userID.
func (s *Service) Me(ctx context.Context, userID string) (User, error) {
	u, err := store.ByID(ctx, s.db.Read, userID)
	if err != nil {
		return User{}, notFound(err)
	}
	return fromStore(u), nil
}
