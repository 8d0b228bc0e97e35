-- +goose Up
-- handled_at becomes sqldb.TimeLayout text, as in every module's tables,
-- instead of unix milliseconds. SQLite cannot change a column's type: the
-- table is built anew and its rows copied, the times converted.
CREATE TABLE inbox_new (
    handler    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    handled_at TEXT NOT NULL,
    PRIMARY KEY (handler, message_id)
) WITHOUT ROWID;
INSERT INTO inbox_new (handler, message_id, handled_at)
SELECT handler, message_id, strftime('%Y-%m-%dT%H:%M:%S', handled_at / 1000, 'unixepoch') || '.' || printf('%03d', handled_at % 1000) || '000000Z' FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_new RENAME TO inbox;
CREATE INDEX inbox_handled_at ON inbox (handled_at);

-- +goose Down
CREATE TABLE inbox_old (
    handler    TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    handled_at INTEGER NOT NULL, -- unix milliseconds
    PRIMARY KEY (handler, message_id)
) WITHOUT ROWID;
INSERT INTO inbox_old (handler, message_id, handled_at)
SELECT handler, message_id, CAST(strftime('%s', substr(handled_at, 1, 19)) AS INTEGER) * 1000 + CAST(substr(handled_at, 21, 3) AS INTEGER) FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_old RENAME TO inbox;
CREATE INDEX inbox_handled_at ON inbox (handled_at);
