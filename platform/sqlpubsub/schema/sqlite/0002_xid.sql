-- +goose Up
-- Offsets become (xid, seq), as on PostgreSQL, where transactions commit out
-- of seq order. SQLite commits one transaction at a time, so xid is always 0.
ALTER TABLE pubsub_messages ADD COLUMN xid INTEGER NOT NULL DEFAULT 0;
DROP INDEX pubsub_messages_topic_seq;
CREATE INDEX pubsub_messages_topic_xid_seq ON pubsub_messages (topic, xid, seq);
ALTER TABLE pubsub_offsets ADD COLUMN acked_xid INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE pubsub_offsets DROP COLUMN acked_xid;
DROP INDEX pubsub_messages_topic_xid_seq;
CREATE INDEX pubsub_messages_topic_seq ON pubsub_messages (topic, seq);
ALTER TABLE pubsub_messages DROP COLUMN xid;
