-- +goose Up
-- One row that the readiness check rewrites: a database that cannot take
-- this write (read-only, out of disk, a lost connection) cannot take the
-- module's.
CREATE TABLE write_probe (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at BIGINT  NOT NULL -- unix milliseconds
);

-- +goose Down
DROP TABLE write_probe;
