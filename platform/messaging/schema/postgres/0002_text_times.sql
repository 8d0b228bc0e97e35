-- +goose Up
-- handled_at becomes sqldb.TimeLayout text, as in every module's tables,
-- instead of unix milliseconds; inbox_handled_at is rebuilt with it.
ALTER TABLE inbox ALTER COLUMN handled_at TYPE TEXT USING to_char(to_timestamp(handled_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' || lpad((handled_at % 1000)::text, 3, '0') || '000000Z';

-- +goose Down
ALTER TABLE inbox ALTER COLUMN handled_at TYPE BIGINT USING (extract(epoch FROM substr(handled_at, 1, 19)::timestamp) * 1000)::bigint + substr(handled_at, 21, 3)::bigint;
