package app

import "context"

// Me returns the account of userID.
func (s *Service) Me(ctx context.Context, userID string) (User, error) {
	u, err := s.store.User(ctx, userID)
	return u, notFound(err)
}
