-- +goose Up
-- Times become sqldb.TimeLayout text, as in every module's tables, instead
-- of unix milliseconds: fixed width, so text order is time order (a lease
-- still lapses when lease_until < now). SQLite cannot change a column's
-- type: each table is built anew and its rows copied, the times converted.
-- A lease never taken or released (0) becomes the epoch.
CREATE TABLE pubsub_messages_new (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    xid        INTEGER NOT NULL DEFAULT 0,
    topic      TEXT    NOT NULL,
    uuid       TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    metadata   TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
INSERT INTO pubsub_messages_new (seq, xid, topic, uuid, payload, metadata, created_at)
SELECT seq, xid, topic, uuid, payload, metadata, strftime('%Y-%m-%dT%H:%M:%S', created_at / 1000, 'unixepoch') || '.' || printf('%03d', created_at % 1000) || '000000Z' FROM pubsub_messages;
-- seq goes on from the old table's counter, not from its highest row: the
-- offsets acknowledge seqs of rows already pruned, and a seq handed out
-- again would sit behind them, never delivered.
DELETE FROM sqlite_sequence WHERE name = 'pubsub_messages_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'pubsub_messages_new', seq FROM sqlite_sequence WHERE name = 'pubsub_messages';
DROP TABLE pubsub_messages;
ALTER TABLE pubsub_messages_new RENAME TO pubsub_messages;
CREATE INDEX pubsub_messages_topic_xid_seq ON pubsub_messages (topic, xid, seq);
CREATE INDEX pubsub_messages_poison_age ON pubsub_messages (topic, created_at) WHERE topic = 'poison';

CREATE TABLE pubsub_offsets_new (
    consumer_group TEXT    NOT NULL,
    topic          TEXT    NOT NULL,
    acked_xid      INTEGER NOT NULL DEFAULT 0,
    acked          INTEGER NOT NULL DEFAULT 0,
    owner          TEXT,
    lease_until    TEXT    NOT NULL DEFAULT '1970-01-01T00:00:00.000000000Z',
    PRIMARY KEY (consumer_group, topic)
);
INSERT INTO pubsub_offsets_new (consumer_group, topic, acked_xid, acked, owner, lease_until)
SELECT consumer_group, topic, acked_xid, acked, owner, strftime('%Y-%m-%dT%H:%M:%S', lease_until / 1000, 'unixepoch') || '.' || printf('%03d', lease_until % 1000) || '000000Z' FROM pubsub_offsets;
DROP TABLE pubsub_offsets;
ALTER TABLE pubsub_offsets_new RENAME TO pubsub_offsets;

-- +goose Down
CREATE TABLE pubsub_messages_old (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT    NOT NULL,
    uuid       TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    metadata   TEXT    NOT NULL,
    created_at INTEGER NOT NULL, -- unix milliseconds
    xid        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO pubsub_messages_old (seq, topic, uuid, payload, metadata, created_at, xid)
SELECT seq, topic, uuid, payload, metadata, CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER) * 1000 + CAST(substr(created_at, 21, 3) AS INTEGER), xid FROM pubsub_messages;
DELETE FROM sqlite_sequence WHERE name = 'pubsub_messages_old';
INSERT INTO sqlite_sequence (name, seq) SELECT 'pubsub_messages_old', seq FROM sqlite_sequence WHERE name = 'pubsub_messages';
DROP TABLE pubsub_messages;
ALTER TABLE pubsub_messages_old RENAME TO pubsub_messages;
CREATE INDEX pubsub_messages_topic_xid_seq ON pubsub_messages (topic, xid, seq);
CREATE INDEX pubsub_messages_poison_age ON pubsub_messages (topic, created_at) WHERE topic = 'poison';

CREATE TABLE pubsub_offsets_old (
    consumer_group TEXT    NOT NULL,
    topic          TEXT    NOT NULL,
    acked          INTEGER NOT NULL DEFAULT 0,
    owner          TEXT,
    lease_until    INTEGER NOT NULL DEFAULT 0, -- unix milliseconds
    acked_xid      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (consumer_group, topic)
);
INSERT INTO pubsub_offsets_old (consumer_group, topic, acked, owner, lease_until, acked_xid)
SELECT consumer_group, topic, acked, owner, CAST(strftime('%s', substr(lease_until, 1, 19)) AS INTEGER) * 1000 + CAST(substr(lease_until, 21, 3) AS INTEGER), acked_xid FROM pubsub_offsets;
DROP TABLE pubsub_offsets;
ALTER TABLE pubsub_offsets_old RENAME TO pubsub_offsets;
