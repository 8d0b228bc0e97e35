package sqlpubsub

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"example.com/modmono/platform/sqldb"
)

// Stored is a message as the table keeps it, for operators' tools.
type Stored struct {
	Seq         int64
	Message     *message.Message
	PublishedAt time.Time
}

// Messages returns topic's stored messages in publication order; with a
// non-empty uuid, only the copies of that message.
func Messages(ctx context.Context, db *sql.DB, topic, uuid string) ([]Stored, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, uuid, metadata, created_at, payload FROM pubsub_messages
WHERE topic = $1 AND ($2 = '' OR uuid = $2) ORDER BY xid, seq`, topic, uuid)
	return readStored(rows, err, topic, true)
}

// Headers returns up to limit of topic's stored messages after seq after, in
// seq order, without their payloads: a page of a listing that need not load
// every body. The next page starts after the last one's Seq.
func Headers(ctx context.Context, db *sql.DB, topic string, after int64, limit int) ([]Stored, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, uuid, metadata, created_at FROM pubsub_messages
WHERE topic = $1 AND seq > $2 ORDER BY seq LIMIT $3`, topic, after, limit)
	return readStored(rows, err, topic, false)
}

// readStored reads the rows of a query for seq, uuid, metadata, created_at
// and, withPayload, payload.
func readStored(rows *sql.Rows, err error, topic string, withPayload bool) ([]Stored, error) {
	if err != nil {
		return nil, fmt.Errorf("sqlpubsub: read %s: %w", topic, err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var s Stored
		var id, metadata string
		var payload []byte
		dest := []any{&s.Seq, &id, &metadata, (*sqldb.Time)(&s.PublishedAt)}
		if withPayload {
			dest = append(dest, &payload)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("sqlpubsub: read %s: %w", topic, err)
		}
		s.Message = message.NewMessage(id, payload)
		if err := json.Unmarshal([]byte(metadata), &s.Message.Metadata); err != nil {
			return nil, fmt.Errorf("sqlpubsub: metadata of %s: %w", id, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Delete deletes every copy of message uuid from topic and returns how many
// it deleted.
func Delete(ctx context.Context, db *sql.DB, topic, uuid string) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM pubsub_messages WHERE topic = $1 AND uuid = $2`, topic, uuid)
	if err != nil {
		return 0, fmt.Errorf("sqlpubsub: delete %s from %s: %w", uuid, topic, err)
	}
	return res.RowsAffected()
}

// Pending returns how many of topic's messages some consumer group has not
// acknowledged yet (all of them while no group has subscribed), and when
// the oldest of them was published (zero when none is).
func Pending(ctx context.Context, db *sql.DB, topic string) (int, time.Time, error) {
	var n int
	var oldest sql.Null[sqldb.Time]
	err := db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(m.created_at) FROM pubsub_messages AS m
WHERE m.topic = $1 AND (NOT EXISTS (SELECT 1 FROM pubsub_offsets WHERE topic = $1)
OR EXISTS (SELECT 1 FROM pubsub_offsets AS o WHERE o.topic = $1 AND (o.acked_xid, o.acked) < (m.xid, m.seq)))`,
		topic).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlpubsub: pending of %s: %w", topic, err)
	}
	return n, time.Time(oldest.V), nil
}

// Count returns how many distinct messages topic holds.
func Count(ctx context.Context, db *sql.DB, topic string) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT uuid) FROM pubsub_messages WHERE topic = $1`, topic).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlpubsub: count %s: %w", topic, err)
	}
	return n, nil
}
