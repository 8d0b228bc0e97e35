-- +goose Up
-- The replica of each user's contact details, fed by users events. A deleted
-- user keeps a tombstone (deleted_at, no e-mail or name) so late events about
-- them create nothing.
CREATE TABLE recipients (
    user_id    TEXT PRIMARY KEY,
    email      TEXT,
    name       TEXT,
    deleted_at TEXT
);

-- One notification per event. Transactions commit in any order, so the
-- Sender's position is (xid, seq): the writing transaction's id, then the
-- row's order within it, read only once no older transaction is running.
CREATE TABLE notifications (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid        BIGINT NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
    id         TEXT   NOT NULL UNIQUE,
    user_id    TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    event_id   TEXT   NOT NULL UNIQUE,
    created_at TEXT   NOT NULL
);
CREATE INDEX notifications_user_seq ON notifications (user_id, seq);
CREATE INDEX notifications_xid_seq ON notifications (xid, seq);

-- How far the Sender got: every notification up to (sent_xid,
-- sent_through) was accepted. One row, whose lease makes one Sender at a
-- time (in any process) the one that sends.
CREATE TABLE dispatch_cursor (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    sent_xid     BIGINT NOT NULL,
    sent_through BIGINT NOT NULL,
    owner        TEXT,
    lease_until  BIGINT NOT NULL DEFAULT 0 -- unix milliseconds
);

-- +goose Down
DROP TABLE dispatch_cursor;
DROP TABLE notifications;
DROP TABLE recipients;
