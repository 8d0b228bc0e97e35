-- +goose Up
-- Users who closed their account (from users.UserDeleted.v1): a token issued
-- before the deletion must not place new orders for them.
CREATE TABLE deleted_users (
    user_id    TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE deleted_users;
