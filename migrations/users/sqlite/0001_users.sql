-- +goose Up
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
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

-- +goose Down
DROP TABLE users;
