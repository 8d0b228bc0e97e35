package app

import (
	"context"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/platform/sqldb"
)

// Delete erases userID's account (erase.go) and publishes UserDeleted, on
// which the other modules erase what they hold about the user.
func (s *Service) Delete(ctx context.Context, userID string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := s.erase(ctx, tx, userID); err != nil {
			return notFound(err)
		}
		return s.outbox.Add(ctx, tx, events.TopicUserDeleted, events.UserDeleted{UserID: userID, DeletedAt: now()})
	})
}
