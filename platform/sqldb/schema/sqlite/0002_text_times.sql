-- +goose Up
-- probed_at becomes sqldb.TimeLayout text, as every other time, instead of
-- unix milliseconds. SQLite cannot change a column's type: the table (of
-- one row) is built anew.
CREATE TABLE write_probe_new (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at TEXT    NOT NULL
);
INSERT INTO write_probe_new (id, probed_at) SELECT id, strftime('%Y-%m-%dT%H:%M:%S', probed_at / 1000, 'unixepoch') || '.' || printf('%03d', probed_at % 1000) || '000000Z' FROM write_probe;
DROP TABLE write_probe;
ALTER TABLE write_probe_new RENAME TO write_probe;

-- +goose Down
CREATE TABLE write_probe_old (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at INTEGER NOT NULL -- unix milliseconds
);
INSERT INTO write_probe_old (id, probed_at) SELECT id, CAST(strftime('%s', substr(probed_at, 1, 19)) AS INTEGER) * 1000 + CAST(substr(probed_at, 21, 3) AS INTEGER) FROM write_probe;
DROP TABLE write_probe;
ALTER TABLE write_probe_old RENAME TO write_probe;
