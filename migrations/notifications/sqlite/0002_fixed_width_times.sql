-- +goose Up
-- Times become fixed-width RFC 3339 in UTC with nine fraction digits
-- (sqldb.TimeLayout), so that text order is time order. Rows written
-- before kept time.RFC3339Nano, which drops trailing zeros: "…00.12Z"
-- sorted before "…00.1Z".
UPDATE notifications SET created_at = substr(created_at, 1, 19) || '.' || substr(iif(substr(created_at, 20, 1) = '.', substr(created_at, 21, length(created_at) - 21), '') || '000000000', 1, 9) || 'Z';
UPDATE recipients SET deleted_at = substr(deleted_at, 1, 19) || '.' || substr(iif(substr(deleted_at, 20, 1) = '.', substr(deleted_at, 21, length(deleted_at) - 21), '') || '000000000', 1, 9) || 'Z' WHERE deleted_at IS NOT NULL;

-- +goose Down
-- Fixed-width times read back as any RFC 3339 time: nothing to undo.
SELECT 1;
