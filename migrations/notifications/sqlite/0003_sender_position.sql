-- +goose Up
-- The Sender's position becomes (xid, seq), as on PostgreSQL, where
-- transactions commit out of seq order. SQLite commits one transaction at a
-- time, in seq order, so xid is always 0 here.
ALTER TABLE notifications ADD COLUMN xid INTEGER NOT NULL DEFAULT 0;
CREATE INDEX notifications_xid_seq ON notifications (xid, seq);
ALTER TABLE dispatch_cursor ADD COLUMN sent_xid INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE dispatch_cursor DROP COLUMN sent_xid;
DROP INDEX notifications_xid_seq;
ALTER TABLE notifications DROP COLUMN xid;
