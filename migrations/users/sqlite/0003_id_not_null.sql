-- +goose Up
-- users.id is NOT NULL, as on PostgreSQL: SQLite lets a TEXT PRIMARY KEY of
-- a rowid table hold NULL (an old quirk it keeps for compatibility), which
-- the schema comparison of the engines (migrations/schema_test.go) found.
-- SQLite cannot add NOT NULL to a column: the table is built anew.
CREATE TABLE users_new (
    id                  TEXT NOT NULL PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    address_line1       TEXT,
    address_line2       TEXT,
    address_city        TEXT,
    address_postal_code TEXT,
    address_country     TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
INSERT INTO users_new SELECT id, email, name, password_hash, address_line1, address_line2,
    address_city, address_postal_code, address_country, created_at, updated_at FROM users WHERE id IS NOT NULL;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- +goose Down
-- A NOT NULL id is a valid id of the table before: nothing to undo.
SELECT 1;
