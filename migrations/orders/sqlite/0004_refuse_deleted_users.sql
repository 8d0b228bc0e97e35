-- +goose Up
-- An order of a user whose deletion the module applied is refused by the
-- database itself (see the PostgreSQL history for why).
-- +goose StatementBegin
CREATE TRIGGER orders_refuse_deleted_user BEFORE INSERT ON orders
WHEN EXISTS (SELECT 1 FROM deleted_users WHERE user_id = NEW.user_id)
BEGIN
    SELECT RAISE(ABORT, 'orders_user_deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER orders_refuse_deleted_user;
