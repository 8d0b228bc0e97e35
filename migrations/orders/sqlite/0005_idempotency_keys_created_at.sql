-- +goose Up
-- The Idempotency-Key sweep deletes by created_at: without this index every
-- sweep reads the whole table under the write lock. (PostgreSQL's history
-- has had it from the start.)
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created_at;
