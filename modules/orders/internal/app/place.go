package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"example.com/modmono/modules/orders/events"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/validate"
)

// Limits on an order line; the number of lines is the Service's maxItems.
const (
	MaxQuantity       = 10_000
	MaxUnitPriceCents = 100_000_000
)

// PlaceOrder is the request to place an order.
type PlaceOrder struct {
	Items           []Line   `json:"items"`
	Currency        string   `json:"currency"`
	ShippingAddress *Address `json:"shipping_address,omitempty"`
}

// Line is an order line as a request carries it. A unit price of 0 is a
// price (a free item), so its absence must show: it is a pointer. Both
// numbers take any JSON spelling of an integer (1.0 is 1).
type Line struct {
	SKU            string            `json:"sku"`
	Quantity       validate.Integer  `json:"quantity"`
	UnitPriceCents *validate.Integer `json:"unit_price_cents"`
}

func (p *PlaceOrder) validate(maxItems int) error {
	var v validate.Validator
	v.Check(len(p.Items) > 0, "items", "must hold at least one item")
	v.Check(len(p.Items) <= maxItems, "items", fmt.Sprintf("must hold at most %d items", maxItems))
	for i := range p.Items {
		it, f := &p.Items[i], fmt.Sprintf("items[%d].", i)
		v.Text(f+"sku", &it.SKU, 1, 64)
		v.Check(it.Quantity >= 1 && it.Quantity <= MaxQuantity, f+"quantity", fmt.Sprintf("must be from 1 to %d", MaxQuantity))
		switch {
		case it.UnitPriceCents == nil:
			v.Add(f+"unit_price_cents", "is required")
		case *it.UnitPriceCents < 0 || *it.UnitPriceCents > MaxUnitPriceCents:
			v.Add(f+"unit_price_cents", fmt.Sprintf("must be from 0 to %d", MaxUnitPriceCents))
		}
	}
	p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
	v.Check(validate.IsCurrency(p.Currency), "currency", "must be the ISO 4217 code of a currency in use, like EUR or USD")
	if p.ShippingAddress != nil {
		v.Address("shipping_address.", (*validate.Address)(p.ShippingAddress))
	}
	return v.Err()
}

// hash identifies the request's content for Idempotency-Key checks. It is
// taken after normalisation, so spacing and letter case do not count.
func (p *PlaceOrder) hash() string {
	b, _ := json.Marshal(p) // plain structs: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

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
	if err := p.validate(s.maxItems); err != nil {
		return Order{}, false, err
	}
	hash := p.hash()
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

func (s *Service) place(ctx context.Context, userID string, p PlaceOrder, idempotencyKey, hash string) (o Order, replayed bool, err error) {
	err = s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		replayed = false // as this attempt finds it, should the first be retried
		// Not beside a concurrent deletion of the user, which would miss
		// this order when it cancels the user's open ones.
		if err := s.store.LockUser(ctx, tx, userID); err != nil {
			return err
		}
		// The user's deletion is checked by the insert itself; the paths
		// that end before it check on their own.
		if idempotencyKey != "" {
			prev, err := s.store.IdempotencyKey(ctx, tx, userID, idempotencyKey)
			switch {
			case err == nil:
				if err := s.refuseDeleted(ctx, tx, userID); err != nil {
					return err
				}
				if prev.RequestHash != hash {
					return apperror.New(apperror.Unprocessable, "This Idempotency-Key was already used with a different request.")
				}
				o, replayed = prev.Order, true
				return nil
			case !errors.Is(err, ErrNotFound):
				return err
			}
		}
		addr, err := s.shippingAddress(ctx, tx, userID, p.ShippingAddress)
		if err != nil {
			return err
		}
		o = newOrder(userID, p, addr)
		if err := s.store.Insert(ctx, tx, o); err != nil {
			return err
		}
		if idempotencyKey != "" {
			if err := s.store.PutIdempotencyKey(ctx, tx, userID, idempotencyKey, IdempotentResult{RequestHash: hash, Order: o}, o.CreatedAt); err != nil {
				return err
			}
		}
		return s.outbox.Add(ctx, tx, events.TopicOrderPlaced, placedEvent(o))
	})
	if errors.Is(err, ErrUserDeleted) {
		return o, false, errAccountGone()
	}
	return o, replayed, err
}

// shippingAddress is the request's address, or else the one replicated from
// the users module.
func (s *Service) shippingAddress(ctx context.Context, tx *sqldb.Tx, userID string, given *Address) (Address, error) {
	if given != nil {
		return *given, nil
	}
	addr, err := s.store.UserAddress(ctx, tx, userID)
	if errors.Is(err, ErrNotFound) {
		if err := s.refuseDeleted(ctx, tx, userID); err != nil {
			return addr, err // a deleted user's replica is gone too
		}
		return addr, apperror.New(apperror.Unprocessable,
			"The order has no shipping address: send shipping_address, or give the account an address first.")
	}
	return addr, err
}

func errAccountGone() error {
	return apperror.New(apperror.Unauthorized, "The account no longer exists.")
}

// refuseDeleted fails when the module has applied userID's deletion.
func (s *Service) refuseDeleted(ctx context.Context, tx *sqldb.Tx, userID string) error {
	deleted, err := s.store.IsUserDeleted(ctx, tx, userID)
	if err == nil && deleted {
		err = errAccountGone()
	}
	return err
}

func newOrder(userID string, p PlaceOrder, addr Address) Order {
	var total int64
	items := make([]Item, len(p.Items))
	for i, it := range p.Items {
		items[i] = Item{SKU: it.SKU, Quantity: int64(it.Quantity), UnitPriceCents: int64(*it.UnitPriceCents)}
		total += items[i].Quantity * items[i].UnitPriceCents // bounded by the limits: no overflow
	}
	id, _ := uuid.NewV7()
	return Order{
		ID: id.String(), UserID: userID, Status: StatusPlaced, Items: items,
		TotalCents: total, Currency: p.Currency, ShippingAddress: addr, CreatedAt: now(),
	}
}

func placedEvent(o Order) events.OrderPlaced {
	items := make([]events.Item, len(o.Items))
	for i, it := range o.Items {
		items[i] = events.Item(it)
	}
	return events.OrderPlaced{
		OrderID: o.ID, UserID: o.UserID, Items: items, TotalCents: o.TotalCents, Currency: o.Currency,
		ShippingAddress: events.Address(o.ShippingAddress), PlacedAt: o.CreatedAt,
	}
}
