-- +goose Up
-- Every published message, in publication order. seq is the offset consumers
-- track; rows are deleted only once every consumer group has acknowledged them.
CREATE TABLE pubsub_messages (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT    NOT NULL,
    uuid       TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    metadata   TEXT    NOT NULL,
    created_at INTEGER NOT NULL -- unix milliseconds
);
CREATE INDEX pubsub_messages_topic_seq ON pubsub_messages (topic, seq);

-- One row per (consumer group, topic): the last acknowledged offset, and the
-- lease that makes one subscriber at a time the group's consumer of the topic.
CREATE TABLE pubsub_offsets (
    consumer_group TEXT    NOT NULL,
    topic          TEXT    NOT NULL,
    acked          INTEGER NOT NULL DEFAULT 0,
    owner          TEXT,
    lease_until    INTEGER NOT NULL DEFAULT 0, -- unix milliseconds
    PRIMARY KEY (consumer_group, topic)
);

-- +goose Down
DROP TABLE pubsub_offsets;
DROP TABLE pubsub_messages;
