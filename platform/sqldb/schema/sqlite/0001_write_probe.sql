-- +goose Up
-- One row that the readiness check rewrites: a database that cannot take
-- this write (a read-only file, a full disk) cannot take the module's.
CREATE TABLE write_probe (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at INTEGER NOT NULL -- unix milliseconds
);

-- +goose Down
DROP TABLE write_probe;
