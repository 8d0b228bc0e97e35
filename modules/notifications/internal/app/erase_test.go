package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	orderevents "example.com/modmono/modules/orders/events"
	userevents "example.com/modmono/modules/users/events"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

func TestADeletedUsersContactDetailsNotificationsAndPoisonedEventsAreGone(t *testing.T) {
	m := newModule(t)
	ctx := context.Background()
	const other = "0190a0b2-7c3e-7000-8000-0000000000ff"
	m.deliver(t, userevents.TopicUserRegistered, registered())
	m.deliver(t, userevents.TopicUserRegistered, userevents.UserRegistered{UserID: other, Email: "bob@example.com", Name: "Bob", RegisteredAt: now})
	m.deliver(t, orderevents.TopicOrderPlaced, placed("0190a0b2-7c3e-7000-8000-0000000000a1"))
	m.poison(t, userevents.TopicUserRegistered, `{"user_id":"`+userID+`","email":"ada@example.com","name":"Ada"}`)
	m.poison(t, orderevents.TopicOrderPlaced, `{"user_id":"`+other+`"}`)

	m.deliver(t, userevents.TopicUserDeleted, userevents.UserDeleted{UserID: userID, DeletedAt: now})

	if traces := sqldbtest.Traces(t, m.db, "ada@example.com", "Ada", "1 Main St", "0190a0b2-7c3e-7000-8000-0000000000a1"); len(traces) != 0 {
		t.Errorf("the deleted user's data is still held: %q", traces)
	}
	if kept := sqldbtest.Traces(t, m.db, "bob@example.com", "Bob", other); len(kept) < 3 {
		t.Errorf("another user's recipient, notification or poisoned event went too; left: %q", kept)
	}
	if left, err := messaging.Poisoned(ctx, m.db, ""); err != nil || len(left) != 1 {
		t.Errorf("poison queue %d events (err %v), want the other user's only", len(left), err)
	}
}

// poison puts an event of type topic with payload in the module's poison
// queue, as a handler that keeps failing does.
func (m module) poison(t *testing.T, topic, payload string) {
	t.Helper()
	msg := message.NewMessage(uuid.NewString(), []byte(payload))
	msg.Metadata.Set(messaging.MetaEventType, topic)
	if err := m.processor.Poison(context.Background(), msg, errors.New("broken")); err != nil {
		t.Fatal(err)
	}
}
