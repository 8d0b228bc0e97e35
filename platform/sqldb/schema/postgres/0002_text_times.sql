-- +goose Up
-- probed_at becomes sqldb.TimeLayout text, as every other time, instead of
-- unix milliseconds. id becomes BIGINT, SQLite's INTEGER, which the schema
-- comparison of the engines (migrations/schema_test.go) holds it to.
ALTER TABLE write_probe
    ALTER COLUMN id TYPE BIGINT,
    ALTER COLUMN probed_at TYPE TEXT USING to_char(to_timestamp(probed_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' || lpad((probed_at % 1000)::text, 3, '0') || '000000Z';

-- +goose Down
ALTER TABLE write_probe
    ALTER COLUMN probed_at TYPE BIGINT USING (extract(epoch FROM substr(probed_at, 1, 19)::timestamp) * 1000)::bigint + substr(probed_at, 21, 3)::bigint,
    ALTER COLUMN id TYPE INTEGER;
