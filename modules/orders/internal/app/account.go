package app

import "context"

// AccountOpen reports whether userID's tokens are still taken: not once the
// module applied the user's deletion.
func (s *Service) AccountOpen(ctx context.Context, userID string) (bool, error) {
	deleted, err := s.store.IsUserDeleted(ctx, s.db.Read, userID)
	return !deleted, err
}
