package app

import "context"

// AccountOpen reports whether userID's tokens are still taken: not once the
// module applied the user's deletion.
func (s *Service) AccountOpen(ctx context.Context, userID string) (bool, error) {
	deleted, err := s.store.UserDeleted(ctx, userID)
	return !deleted, err
}
