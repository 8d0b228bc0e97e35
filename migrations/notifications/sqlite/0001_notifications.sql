-- +goose Up
-- The replica of each user's contact details, fed by users events. A deleted
-- user keeps a tombstone (deleted_at, no e-mail or name) so late events about
-- them create nothing.
CREATE TABLE recipients (
    user_id    TEXT PRIMARY KEY,
    email      TEXT,
    name       TEXT,
    deleted_at TEXT
) WITHOUT ROWID;

-- One notification per event, in commit order (seq).
CREATE TABLE notifications (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    event_id   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_user_seq ON notifications (user_id, seq);

-- How far the Sender got: every notification up to sent_through was
-- accepted. One row; commits are serialised, so seq order is commit order.
CREATE TABLE dispatch_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sent_through  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE dispatch_cursor;
DROP TABLE notifications;
DROP TABLE recipients;
