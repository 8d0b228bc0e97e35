package sqlpubsub

import (
	"context"
	"errors"
	"fmt"

	"example.com/modmono/platform/sqldb"
)

// DeleteMentioning deletes every message of topic whose payload holds
// needle, byte for byte (sqldb.Dialect.ContainsBytes), and returns how
// many it deleted. It reads every message of the topic: meant for a small
// one, such as a poison queue (whose rows alone are indexed by topic).
func DeleteMentioning(ctx context.Context, exec Executor, dialect sqldb.Dialect, topic string, needle []byte) (int64, error) {
	if !dialect.Known() {
		return 0, fmt.Errorf("sqlpubsub: delete mentioning: unknown engine %q", dialect)
	}
	if len(needle) == 0 {
		return 0, errors.New("sqlpubsub: delete mentioning: an empty needle would match every message")
	}
	query := `DELETE FROM pubsub_messages WHERE topic = $1 AND ` + dialect.ContainsBytes("payload", "$2")
	res, err := exec.ExecContext(ctx, query, topic, needle)
	if err != nil {
		return 0, fmt.Errorf("sqlpubsub: delete from %s: %w", topic, err)
	}
	return res.RowsAffected()
}
