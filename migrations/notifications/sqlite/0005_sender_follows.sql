-- +goose Up
-- The Sender reads notifications through sqlpubsub.Follower, whose position
-- and lease are a row of pubsub_offsets (the platform's schema, which the
-- host migrates before the module's): consumer group 'follow', topic
-- 'notifications/sender'. It starts where the Sender's own cursor stood, so
-- nothing stored is sent again or skipped. A Sender of the version before
-- that still runs finds no cursor and sends nothing more.
INSERT INTO pubsub_offsets (consumer_group, topic, acked_xid, acked)
SELECT 'follow', 'notifications/sender', sent_xid, sent_through FROM dispatch_cursor WHERE TRUE -- (SQLite: the WHERE tells ON CONFLICT from a join)
ON CONFLICT (consumer_group, topic) DO NOTHING;
DROP TABLE dispatch_cursor;

-- +goose Down
CREATE TABLE dispatch_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sent_through  INTEGER NOT NULL,
    sent_xid      INTEGER NOT NULL DEFAULT 0,
    owner         TEXT,
    lease_until   INTEGER NOT NULL DEFAULT 0 -- unix milliseconds
);
INSERT INTO dispatch_cursor (id, sent_xid, sent_through)
SELECT 1, acked_xid, acked FROM pubsub_offsets WHERE consumer_group = 'follow' AND topic = 'notifications/sender';
DELETE FROM pubsub_offsets WHERE consumer_group = 'follow' AND topic = 'notifications/sender';
