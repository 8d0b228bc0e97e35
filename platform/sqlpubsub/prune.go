package sqlpubsub

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"example.com/modmono/platform/sqldb"
)

// Prune deletes the messages of topic that every consumer group has
// acknowledged, and returns how many it deleted. Messages of a topic that no
// group has ever subscribed to are kept. db may be a transaction.
func Prune(ctx context.Context, db Executor, topic string) (int64, error) {
	res, err := db.ExecContext(ctx, `
DELETE FROM pubsub_messages AS m WHERE topic = $1
AND EXISTS (SELECT 1 FROM pubsub_offsets WHERE topic = $1)
AND NOT EXISTS (SELECT 1 FROM pubsub_offsets AS o WHERE o.topic = $1 AND (o.acked_xid, o.acked) < (m.xid, m.seq))`, topic)
	if err != nil {
		return 0, fmt.Errorf("sqlpubsub: prune %s: %w", topic, err)
	}
	return res.RowsAffected()
}

const pruneOlder = `DELETE FROM pubsub_messages WHERE topic = $1 AND created_at < $2`

// PruneOlder deletes the messages of topic published before cutoff, and
// returns how many it deleted: the retention of a topic nobody consumes,
// such as a poison queue. Only the poison queue's topic has an index for it
// (migration 0003); on another topic it reads every message of the topic.
func PruneOlder(ctx context.Context, db *sql.DB, topic string, cutoff time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, pruneOlder, topic, sqldb.Time(cutoff))
	if err != nil {
		return 0, fmt.Errorf("sqlpubsub: prune %s: %w", topic, err)
	}
	return res.RowsAffected()
}
