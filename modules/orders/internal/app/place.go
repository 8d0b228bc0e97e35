package app

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"example.com/modmono/platform/apperror"
)

// Place creates an order for userID and publishes OrderPlaced. With a
// non-empty idempotencyKey, a repeat of the same request returns the order
// the first one created; the same key with another request is refused.
func (s *Service) Place(ctx context.Context, userID string, p PlaceOrder, idempotencyKey string) (Order, error) {
	o, _, err := s.PlaceOnce(ctx, userID, p, idempotencyKey)
	return o, err
}

// PlaceOnce is Place, also telling whether the order is a replay: the one
// an earlier request with the same idempotencyKey created.
func (s *Service) PlaceOnce(ctx context.Context, userID string, p PlaceOrder, idempotencyKey string) (o Order, replayed bool, err error) {
	if err := p.Validate(s.maxItems); err != nil {
		return Order{}, false, err
	}
	hash := p.Hash()
	for attempt := 1; ; attempt++ {
		o, replayed, err = s.place(ctx, userID, p, idempotencyKey, hash)
		// Two requests with one new key raced, and the other committed
		// first: run again to answer with the order it created.
		if errors.Is(err, ErrKeyTaken) && attempt < 3 {
			continue
		}
		return o, replayed, err
	}
}

// place runs one attempt under the user's lock, so that it is not beside
// a concurrent deletion of the user, which would miss this order when it
// cancels the user's open ones.
func (s *Service) place(ctx context.Context, userID string, p PlaceOrder, idempotencyKey, hash string) (o Order, replayed bool, err error) {
	err = s.store.UpdateUser(ctx, userID, func(ctx context.Context, u User) error {
		replayed = false // as this attempt finds it, should the first be retried
		// The user's deletion is checked by AddOrder itself; the paths
		// that end before it check on their own.
		if idempotencyKey != "" {
			prev, err := u.IdempotentResult(ctx, idempotencyKey)
			switch {
			case err == nil:
				o, replayed, err = replay(ctx, u, prev, hash)
				return err
			case !errors.Is(err, ErrNotFound):
				return err
			}
		}
		addr, err := shippingAddress(ctx, u, p.ShippingAddress)
		if err != nil {
			return err
		}
		id, _ := uuid.NewV7()
		o = NewOrder(id.String(), userID, p.items(), p.Currency, addr, now())
		return u.AddOrder(ctx, o, idempotencyKey, IdempotentResult{RequestHash: hash, Order: o})
	})
	if errors.Is(err, ErrUserDeleted) {
		return o, false, errAccountGone()
	}
	return o, replayed, err
}

// replay answers a request whose Idempotency-Key produced prev: with prev's
// order if the request is the same (its hash), else refused.
func replay(ctx context.Context, u User, prev IdempotentResult, hash string) (Order, bool, error) {
	if err := refuseDeleted(ctx, u); err != nil {
		return Order{}, false, err
	}
	if prev.RequestHash != hash {
		return Order{}, false, apperror.New(apperror.Unprocessable, "This Idempotency-Key was already used with a different request.")
	}
	return prev.Order, true, nil
}

// shippingAddress is the request's address, or else the one replicated from
// the users module.
func shippingAddress(ctx context.Context, u User, given *Address) (Address, error) {
	if given != nil {
		return *given, nil
	}
	r, err := u.Replica(ctx)
	if err != nil || r.Held {
		return r.Address, err
	}
	if err := refuseDeleted(ctx, u); err != nil {
		return Address{}, err // a deleted user's replica is gone too
	}
	return Address{}, apperror.New(apperror.Unprocessable,
		"The order has no shipping address: send shipping_address, or give the account an address first.")
}

func errAccountGone() error {
	return apperror.New(apperror.Unauthorized, "The account no longer exists.")
}

// refuseDeleted fails when the module has applied u's deletion.
func refuseDeleted(ctx context.Context, u User) error {
	deleted, err := u.Deleted(ctx)
	if err == nil && deleted {
		err = errAccountGone()
	}
	return err
}
