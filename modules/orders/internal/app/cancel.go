package app

import (
	"context"
	"database/sql"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/modules/orders/internal/store"
	"example.com/modmono/platform/apperror"
)

// Cancel cancels userID's order id and publishes OrderCancelled.
func (s *Service) Cancel(ctx context.Context, userID, id string) (Order, error) {
	var o Order
	err := s.db.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		if o, err = store.ByID(ctx, tx, userID, id); err != nil {
			return notFound(err)
		}
		if o.Status == store.StatusCancelled {
			return apperror.New(apperror.Conflict, "The order is already cancelled.")
		}
		at := now()
		if err := store.SetStatus(ctx, tx, o.ID, store.StatusCancelled, at); err != nil {
			return err
		}
		o.Status = store.StatusCancelled
		return s.outbox.Add(ctx, tx, events.TopicOrderCancelled, cancelledEvent(o, events.ReasonCustomerRequest, at))
	})
	return o, err
}
