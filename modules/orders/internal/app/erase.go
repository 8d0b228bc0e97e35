package app

import "context"

// erase removes what the module holds about u, in the transaction that
// applies the user's deletion. The orders stay, with their items, totals and
// status, for the books; their shipping addresses are Erased. Gone are the
// address replica, the Idempotency-Key results (which hold the orders as
// first returned, address included), and the user's events in the module's
// poison queue and relayed outbox.
func erase(ctx context.Context, u User) error {
	return u.Erase(ctx, Address.Erased)
}
