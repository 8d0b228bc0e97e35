-- +goose Up
-- One Sender at a time, across processes: the holder of the lease on the
-- cursor row.
ALTER TABLE dispatch_cursor ADD COLUMN owner TEXT;
ALTER TABLE dispatch_cursor ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0; -- unix milliseconds

-- +goose Down
ALTER TABLE dispatch_cursor DROP COLUMN lease_until;
ALTER TABLE dispatch_cursor DROP COLUMN owner;
