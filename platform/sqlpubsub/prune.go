package sqlpubsub

import (
	"context"
	"database/sql"
	"fmt"
)

// Prune deletes the messages of topic that every consumer group has
// acknowledged, and returns how many it deleted. Messages of a topic that no
// group has ever subscribed to are kept.
func Prune(ctx context.Context, db *sql.DB, topic string) (int64, error) {
	res, err := db.ExecContext(ctx, `
DELETE FROM pubsub_messages AS m WHERE topic = $1
AND EXISTS (SELECT 1 FROM pubsub_offsets WHERE topic = $1)
AND NOT EXISTS (SELECT 1 FROM pubsub_offsets AS o WHERE o.topic = $1 AND (o.acked_xid, o.acked) < (m.xid, m.seq))`, topic)
	if err != nil {
		return 0, fmt.Errorf("sqlpubsub: prune %s: %w", topic, err)
	}
	return res.RowsAffected()
}
