-- +goose Up
-- Times become sqldb.TimeLayout text, as in every module's tables, instead
-- of unix milliseconds: fixed width, so text order is time order (a lease
-- still lapses when lease_until < now). The indexes on the columns are
-- rebuilt with them. A lease never taken or released (0) becomes the epoch.
ALTER TABLE pubsub_messages
    ALTER COLUMN created_at TYPE TEXT USING to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' || lpad((created_at % 1000)::text, 3, '0') || '000000Z';
ALTER TABLE pubsub_offsets
    ALTER COLUMN lease_until DROP DEFAULT,
    ALTER COLUMN lease_until TYPE TEXT USING to_char(to_timestamp(lease_until / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' || lpad((lease_until % 1000)::text, 3, '0') || '000000Z',
    ALTER COLUMN lease_until SET DEFAULT '1970-01-01T00:00:00.000000000Z';

-- +goose Down
ALTER TABLE pubsub_offsets
    ALTER COLUMN lease_until DROP DEFAULT,
    ALTER COLUMN lease_until TYPE BIGINT USING (extract(epoch FROM substr(lease_until, 1, 19)::timestamp) * 1000)::bigint + substr(lease_until, 21, 3)::bigint,
    ALTER COLUMN lease_until SET DEFAULT 0;
ALTER TABLE pubsub_messages
    ALTER COLUMN created_at TYPE BIGINT USING (extract(epoch FROM substr(created_at, 1, 19)::timestamp) * 1000)::bigint + substr(created_at, 21, 3)::bigint;
