package sqlpubsub

import (
	"context"
	"errors"
	"fmt"

	"example.com/modmono/platform/sqldb"
)

// containsPayload is, per engine, the condition that a row's payload holds
// the bytes of $2. Both sides are bytes (a BLOB and a []byte argument on
// SQLite, bytea on PostgreSQL), so the match is byte for byte: no collation,
// no case folding, no LIKE wildcards to escape.
var containsPayload = map[sqldb.Dialect]string{
	sqldb.SQLite:   `instr(payload, $2) > 0`,
	sqldb.Postgres: `position($2::bytea IN payload) > 0`,
}

// DeleteMentioning deletes every message of topic whose payload holds
// needle and returns how many it deleted. It reads every message of the
// topic: meant for a small one, such as a poison queue (whose rows alone
// are indexed by topic).
func DeleteMentioning(ctx context.Context, exec Executor, dialect sqldb.Dialect, topic string, needle []byte) (int64, error) {
	cond, ok := containsPayload[dialect]
	if !ok {
		return 0, fmt.Errorf("sqlpubsub: delete mentioning: unknown engine %q", dialect)
	}
	if len(needle) == 0 {
		return 0, errors.New("sqlpubsub: delete mentioning: an empty needle would match every message")
	}
	res, err := exec.ExecContext(ctx, `DELETE FROM pubsub_messages WHERE topic = $1 AND `+cond, topic, needle)
	if err != nil {
		return 0, fmt.Errorf("sqlpubsub: delete from %s: %w", topic, err)
	}
	return res.RowsAffected()
}
