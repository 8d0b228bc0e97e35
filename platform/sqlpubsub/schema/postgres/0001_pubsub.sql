-- +goose Up
-- Every published message. Transactions commit in any order, so a message's
-- offset is (xid, seq): the id of the transaction that wrote it, then its
-- order within the table. Subscribers read only below the oldest running
-- transaction, so nothing can appear behind an offset already passed.
CREATE TABLE pubsub_messages (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid        BIGINT NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
    topic      TEXT   NOT NULL,
    uuid       TEXT   NOT NULL,
    payload    BYTEA  NOT NULL,
    metadata   TEXT   NOT NULL,
    created_at BIGINT NOT NULL -- unix milliseconds
);
CREATE INDEX pubsub_messages_topic_xid_seq ON pubsub_messages (topic, xid, seq);

-- One row per (consumer group, topic): the last acknowledged offset, and the
-- lease that makes one subscriber at a time the group's consumer of the topic.
CREATE TABLE pubsub_offsets (
    consumer_group TEXT   NOT NULL,
    topic          TEXT   NOT NULL,
    acked_xid      BIGINT NOT NULL DEFAULT 0,
    acked          BIGINT NOT NULL DEFAULT 0,
    owner          TEXT,
    lease_until    BIGINT NOT NULL DEFAULT 0, -- unix milliseconds
    PRIMARY KEY (consumer_group, topic)
);

-- Every insert wakes the subscribers listening on sqlpubsub_<schema>, once
-- per transaction (PostgreSQL folds equal notifications) and only when it
-- commits: the relay in any process starts at once instead of at its poll.
-- +goose StatementBegin
CREATE FUNCTION pubsub_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sqlpubsub_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER pubsub_messages_notify AFTER INSERT ON pubsub_messages
    FOR EACH STATEMENT EXECUTE FUNCTION pubsub_notify();

-- +goose Down
DROP TRIGGER pubsub_messages_notify ON pubsub_messages;
DROP FUNCTION pubsub_notify();
DROP TABLE pubsub_offsets;
DROP TABLE pubsub_messages;
