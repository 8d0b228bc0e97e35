package app

import (
	"context"

	"example.com/modmono/modules/notifications/internal/store"
)

// List returns a page of userID's notifications, newest first, older than
// beforeSeq (0 for the first page), and whether more follow.
func (s *Service) List(ctx context.Context, userID string, beforeSeq int64, limit int) ([]Notification, bool, error) {
	ns, err := store.ListByUser(ctx, s.db.Read, userID, beforeSeq, limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(ns) > limit {
		return ns[:limit], true, nil
	}
	return ns, false, nil
}
