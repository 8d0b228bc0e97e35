package app

import (
	"context"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// ErasedText stands for each line of a shipping address erased with its
// user: line1, city and postal_code read it, line2 is dropped.
const ErasedText = "(erased)"

// Erased returns a without what locates a person: every line reads
// ErasedText, except the country, which the order's bookkeeping needs (the
// place of supply for VAT) and which locates no one. It is still a valid
// Address, so an erased order reads as any other.
func (a Address) Erased() Address {
	return Address{Line1: ErasedText, City: ErasedText, PostalCode: ErasedText, Country: a.Country}
}

// erase removes what the module holds about userID, in the transaction that
// applies the user's deletion. The orders stay, with their items, totals and
// status, for the books; their shipping addresses are Erased. Gone are the
// address replica, the Idempotency-Key results (which hold the orders as
// first returned, address included), and the user's events in the module's
// poison queue and relayed outbox (messaging.EraseUser).
func (s *Service) erase(ctx context.Context, tx *sqldb.Tx, userID string) error {
	if err := s.store.DeleteUserAddress(ctx, tx, userID); err != nil {
		return err
	}
	if err := s.store.UpdateShippingAddresses(ctx, tx, userID, Address.Erased); err != nil {
		return err
	}
	if err := s.store.DeleteIdempotencyKeys(ctx, tx, userID); err != nil {
		return err
	}
	return messaging.EraseUser(ctx, tx, userID)
}
