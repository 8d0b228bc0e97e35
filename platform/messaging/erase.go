package messaging

import (
	"context"
	"errors"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

// EraseUser deletes, in tx, what the module's own event tables hold about
// the user with id userID, for a module that applies the user's deletion:
//
//   - every poisoned event whose payload names the user. Events about a
//     user carry its id in their payload (every contract does), and an id is
//     a UUID, which no other user's event contains by chance; so the match
//     is on the id's bytes, and it also finds events that never decoded;
//   - every outbox event that every relay has passed, which the relay would
//     delete at its next prune anyway. Their payloads are enveloped
//     (base64), so this is the whole relayed part of the outbox, not only
//     the user's. Events still waiting for a relay are relayed as usual and
//     pruned after.
//
// The inbox holds event ids only.
func EraseUser(ctx context.Context, tx *sqldb.Tx, userID string) error {
	if userID == "" {
		return errors.New("messaging: erase user: no user id")
	}
	if _, err := sqlpubsub.DeleteMentioning(ctx, tx, tx.Dialect(), PoisonTopic, []byte(userID)); err != nil {
		return err
	}
	_, err := sqlpubsub.Prune(ctx, tx, OutboxTopic)
	return err
}
