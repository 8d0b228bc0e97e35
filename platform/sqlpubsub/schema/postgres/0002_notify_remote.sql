-- +goose Up
-- A commit wakes the subscribers of this process through sqldb.Tx.Notify,
-- without the database. NOTIFY is for the others: it serialises the commits
-- that send one, across the whole server, so the trigger sends it only when
-- a topic written has a consumer that is not of this session's process, or
-- none: a lease owner not prefixed by the instance that ends the session's
-- application_name (sqldb.DB.Instance), or a released lease.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pubsub_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    instance TEXT := substring(current_setting('application_name') FROM '/([^/]+)$');
BEGIN
    IF EXISTS (
        SELECT 1 FROM pubsub_offsets o
        WHERE o.topic IN (SELECT DISTINCT topic FROM inserted)
          AND (o.owner IS NULL OR instance IS NULL OR NOT starts_with(o.owner, instance || '/'))
    ) THEN
        PERFORM pg_notify('sqlpubsub_' || TG_TABLE_SCHEMA, '');
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER pubsub_messages_notify ON pubsub_messages;
CREATE TRIGGER pubsub_messages_notify AFTER INSERT ON pubsub_messages
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION pubsub_notify();

-- +goose Down
DROP TRIGGER pubsub_messages_notify ON pubsub_messages;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pubsub_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sqlpubsub_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER pubsub_messages_notify AFTER INSERT ON pubsub_messages
    FOR EACH STATEMENT EXECUTE FUNCTION pubsub_notify();
