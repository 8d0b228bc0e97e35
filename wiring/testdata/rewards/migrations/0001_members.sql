-- +goose Up
CREATE TABLE members (
    user_id TEXT PRIMARY KEY,
    email   TEXT NOT NULL,
    points  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE awards (
    event_id TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL,
    points   INTEGER NOT NULL
);

-- +goose Down
DROP TABLE awards;
DROP TABLE members;
