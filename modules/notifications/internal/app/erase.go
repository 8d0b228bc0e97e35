package app

import (
	"context"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// erase removes what the module holds about userID, in the transaction that
// applies the user's deletion: every notification (subjects and bodies name
// the user, their address and orders), the recipient's e-mail and name
// (a tombstone with neither stays, so late events about the user create
// nothing), and the user's events in the module's poison queue
// (messaging.EraseUser).
func (s *Service) erase(ctx context.Context, tx *sqldb.Tx, userID string) error {
	if err := s.store.ForgetRecipient(ctx, tx, userID, now()); err != nil {
		return err
	}
	return messaging.EraseUser(ctx, tx, userID)
}
