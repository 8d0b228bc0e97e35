package app

import (
	"context"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/platform/sqldb"
)

// Delete removes userID's account and publishes UserDeleted, on which the
// other modules forget the user.
func (s *Service) Delete(ctx context.Context, userID string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := s.store.Delete(ctx, tx, userID); err != nil {
			return notFound(err)
		}
		return s.outbox.Add(ctx, tx, events.TopicUserDeleted, events.UserDeleted{UserID: userID, DeletedAt: now()})
	})
}
