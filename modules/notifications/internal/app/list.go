package app

import (
	"context"
)

// List returns up to n of userID's notifications older than position
// beforeSeq (0: from the newest), newest first.
func (s *Service) List(ctx context.Context, userID string, beforeSeq int64, n int) ([]Notification, error) {
	return s.store.Notifications(ctx, userID, beforeSeq, n)
}
