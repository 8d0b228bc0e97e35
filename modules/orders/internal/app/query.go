package app

import (
	"context"

	"example.com/modmono/modules/orders/internal/store"
)

// Get returns userID's order id; another user's order is not found.
func (s *Service) Get(ctx context.Context, userID, id string) (Order, error) {
	o, err := store.ByID(ctx, s.db.Read, userID, id)
	return o, notFound(err)
}

// List returns a page of userID's orders, newest first, older than
// beforeSeq (0 for the first page), and whether more follow.
func (s *Service) List(ctx context.Context, userID string, beforeSeq int64, limit int) ([]Order, bool, error) {
	orders, err := store.ListByUser(ctx, s.db.Read, userID, beforeSeq, limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(orders) > limit {
		return orders[:limit], true, nil
	}
	return orders, false, nil
}
