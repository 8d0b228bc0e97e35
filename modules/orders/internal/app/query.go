package app

import "context"

// Get returns userID's order id; another user's order is not found.
func (s *Service) Get(ctx context.Context, userID, id string) (Order, error) {
	o, err := s.store.Order(ctx, userID, id)
	return o, notFound(err)
}

// List returns up to n of userID's orders older than position beforeSeq
// (0: from the newest), newest first.
func (s *Service) List(ctx context.Context, userID string, beforeSeq int64, n int) ([]Order, error) {
	return s.store.Orders(ctx, userID, beforeSeq, n)
}
