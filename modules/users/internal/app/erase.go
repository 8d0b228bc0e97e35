package app

import (
	"context"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// erase removes what the module holds about userID, in the transaction that
// deletes the account: the account itself (e-mail, name, password hash,
// address), and the user's events in the module's poison queue (empty while
// the module consumes no events) and relayed outbox (messaging.EraseUser).
// The UserDeleted event that the transaction publishes names only the id;
// on it, the other modules erase what they hold.
func (s *Service) erase(ctx context.Context, tx *sqldb.Tx, userID string) error {
	if err := s.store.Delete(ctx, tx, userID); err != nil {
		return err
	}
	return messaging.EraseUser(ctx, tx, userID)
}
