package app

import (
	"context"

	"example.com/modmono/modules/notifications/internal/store"
)

// List returns up to n of userID's notifications older than position
// beforeSeq (0: from the newest), newest first.
func (s *Service) List(ctx context.Context, userID string, beforeSeq int64, n int) ([]Notification, error) {
	return store.ListByUser(ctx, s.db.Read, userID, beforeSeq, n)
}
