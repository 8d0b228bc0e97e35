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

-- One notification per event; sent_at is set once the Sender accepted it.
CREATE TABLE notifications (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    event_id   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX notifications_user_seq ON notifications (user_id, seq);
CREATE INDEX notifications_unsent ON notifications (seq) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE recipients;
