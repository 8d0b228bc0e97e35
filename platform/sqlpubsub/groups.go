package sqlpubsub

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"example.com/modmono/platform/sqldb"
)

// Regroup makes groups the only consumer groups of topic: a group that has
// no offset yet starts where the least advanced of the others stood (so a
// deployment that changes how its messages are read neither loses nor
// repeats more than at-least-once delivery allows), and every other group
// is forgotten, so that it holds back neither Prune nor Pending. A group
// whose lease a subscriber holds now (a process of the former deployment,
// still running) is left alone: forgetting it would make that subscriber
// start over from the first message.
func Regroup(ctx context.Context, db *sqldb.DB, topic string, groups []string) error {
	return db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		for _, g := range groups {
			if _, err := tx.ExecContext(ctx, `
INSERT INTO pubsub_offsets (consumer_group, topic, acked_xid, acked)
SELECT $1, $2, o.acked_xid, o.acked FROM pubsub_offsets AS o WHERE o.topic = $2
ORDER BY o.acked_xid, o.acked LIMIT 1
ON CONFLICT (consumer_group, topic) DO NOTHING`, g, topic); err != nil {
				return fmt.Errorf("sqlpubsub: regroup %s: %w", topic, err)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT consumer_group FROM pubsub_offsets WHERE topic = $1`, topic)
		if err != nil {
			return fmt.Errorf("sqlpubsub: regroup %s: %w", topic, err)
		}
		stale, err := notIn(rows, groups)
		if err != nil {
			return fmt.Errorf("sqlpubsub: regroup %s: %w", topic, err)
		}
		for _, g := range stale {
			if _, err := tx.ExecContext(ctx, `DELETE FROM pubsub_offsets WHERE consumer_group = $1 AND topic = $2
AND (owner IS NULL OR lease_until < $3)`, g, topic, sqldb.Time(time.Now())); err != nil {
				return fmt.Errorf("sqlpubsub: regroup %s: %w", topic, err)
			}
		}
		return nil
	})
}

// notIn returns the groups rows names that keep does not.
func notIn(rows *sql.Rows, keep []string) ([]string, error) {
	defer rows.Close()
	want := make(map[string]bool, len(keep))
	for _, g := range keep {
		want[g] = true
	}
	var out []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		if !want[g] {
			out = append(out, g)
		}
	}
	return out, rows.Err()
}
