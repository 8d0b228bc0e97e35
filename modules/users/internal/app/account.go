package app

import "context"

// AccountOpen reports whether userID's tokens are still taken: only while
// the account exists. Delete removes it, so a deleted user's tokens are
// refused as an unknown user's are.
func (s *Service) AccountOpen(ctx context.Context, userID string) (bool, error) {
	return s.store.Exists(ctx, userID)
}
