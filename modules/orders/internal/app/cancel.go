package app

import (
	"context"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/sqldb"
)

// Cancel cancels userID's order id and publishes OrderCancelled.
func (s *Service) Cancel(ctx context.Context, userID, id string) (Order, error) {
	var o Order
	err := s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		if o, err = s.store.ByID(ctx, tx, userID, id); err != nil {
			return notFound(err)
		}
		if o.Status == StatusCancelled {
			return apperror.New(apperror.Conflict, "The order is already cancelled.")
		}
		at := now()
		if err := s.store.SetStatus(ctx, tx, o.ID, StatusCancelled, at); err != nil {
			return err
		}
		o.Status = StatusCancelled
		return s.outbox.Add(ctx, tx, events.TopicOrderCancelled, cancelledEvent(o, events.ReasonCustomerRequest, at))
	})
	return o, err
}
