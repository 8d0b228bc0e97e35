-- +goose Up
-- seq orders a user's orders for keyset pagination; id is the public UUID.
-- items and shipping_address are immutable value objects, stored as JSON
-- text; times are sqldb.TimeLayout text, as on SQLite.
CREATE TABLE orders (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               TEXT   NOT NULL UNIQUE,
    user_id          TEXT   NOT NULL,
    status           TEXT   NOT NULL CHECK (status IN ('placed', 'cancelled')),
    items            TEXT   NOT NULL,
    total_cents      BIGINT NOT NULL,
    currency         TEXT   NOT NULL,
    shipping_address TEXT   NOT NULL,
    created_at       TEXT   NOT NULL,
    updated_at       TEXT   NOT NULL
);
CREATE INDEX orders_user_seq ON orders (user_id, seq);

-- The replica of each user's address, fed by users.UserAddressUpdated.v1.
CREATE TABLE user_addresses (
    user_id    TEXT PRIMARY KEY,
    address    TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Each Idempotency-Key with a hash of the request it came with and the order
-- as first returned, which a retry with the same body gets again.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    order_json   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Users who closed their account (from users.UserDeleted.v1): a token issued
-- before the deletion must not place new orders for them.
CREATE TABLE deleted_users (
    user_id    TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE deleted_users;
DROP TABLE idempotency_keys;
DROP TABLE user_addresses;
DROP TABLE orders;
