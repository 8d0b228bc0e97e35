package app

import "context"

// erase removes what the module holds about r, in the transaction that
// applies the user's deletion: every notification (subjects and bodies name
// the user, their address and orders), the recipient's e-mail and name
// (a tombstone with neither stays, so late events about the user create
// nothing), and the user's events in the module's poison queue.
func erase(ctx context.Context, r Recipient) error {
	return r.Erase(ctx, now())
}
