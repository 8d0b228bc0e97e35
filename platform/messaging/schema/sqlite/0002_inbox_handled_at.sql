-- +goose Up
-- Processor.ForgetHandled deletes by handled_at: without this index every
-- sweep reads the whole inbox under the write lock. (PostgreSQL's inbox has
-- had it from the start.)
CREATE INDEX inbox_handled_at ON inbox (handled_at);

-- +goose Down
DROP INDEX inbox_handled_at;
