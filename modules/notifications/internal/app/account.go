package app

import "context"

// AccountOpen reports whether userID's tokens are still taken: not once the
// module applied the user's deletion (the recipient's tombstone).
func (s *Service) AccountOpen(ctx context.Context, userID string) (bool, error) {
	deleted, err := s.store.RecipientDeleted(ctx, userID)
	return !deleted, err
}
