-- +goose Up
-- An order of a user whose deletion the module applied is refused by the
-- database itself, so that placing an order can send its insert without
-- waiting for an answer: the refusal fails the statement, and with it the
-- transaction, before its outbox event can commit.
-- +goose StatementBegin
CREATE FUNCTION orders_refuse_deleted_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deleted_users WHERE user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'user % is deleted', NEW.user_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_user_deleted';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER orders_refuse_deleted_user BEFORE INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_refuse_deleted_user();

-- +goose Down
DROP TRIGGER orders_refuse_deleted_user ON orders;
DROP FUNCTION orders_refuse_deleted_user();
