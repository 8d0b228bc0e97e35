-- +goose Up
-- The poison queue (topic 'poison') is pruned by age (PruneOlder). Only its
-- rows are indexed: the outbox's inserts, the hot path, pay nothing for it.
CREATE INDEX pubsub_messages_poison_age ON pubsub_messages (topic, created_at) WHERE topic = 'poison';

-- +goose Down
DROP INDEX pubsub_messages_poison_age;
