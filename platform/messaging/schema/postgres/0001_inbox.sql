-- +goose Up
-- Ids of the messages a consumer has applied, written in the same transaction
-- as the effect: a redelivered message finds its id here and is skipped.
CREATE TABLE inbox (
    handler    TEXT   NOT NULL,
    message_id TEXT   NOT NULL,
    handled_at BIGINT NOT NULL, -- unix milliseconds
    PRIMARY KEY (handler, message_id)
);
CREATE INDEX inbox_handled_at ON inbox (handled_at);

-- +goose Down
DROP TABLE inbox;
