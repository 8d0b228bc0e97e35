package app

import "context"

// Cancel cancels userID's order id and publishes OrderCancelled.
func (s *Service) Cancel(ctx context.Context, userID, id string) (Order, error) {
	var o Order
	err := s.store.UpdateOrder(ctx, userID, id, func(order *Order) error {
		if err := order.Cancel(ReasonCustomerRequest, now()); err != nil {
			return err
		}
		o = *order
		return nil
	})
	return o, notFound(err)
}
