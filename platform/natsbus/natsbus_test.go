package natsbus_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"example.com/modmono/platform/natsbus"
	"example.com/modmono/platform/natsbus/natsbustest"
)

// busConfig is a bus on a stream of the test's own.
func busConfig(t *testing.T) natsbus.Config {
	t.Helper()
	url, stream := natsbustest.Stream(t)
	return natsbus.Config{URL: url, Stream: stream, AckWait: 5 * time.Second}
}

// pubSub opens a bus on cfg with a subscriber of group.
func pubSub(t *testing.T, cfg natsbus.Config, group string) (message.Publisher, message.Subscriber) {
	t.Helper()
	bus, err := natsbus.Open(cfg, watermill.NopLogger{})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := bus.Subscriber(group)
	if err != nil {
		t.Fatal(err)
	}
	return bus, sub
}

// TestPubSub runs Watermill's universal Pub/Sub suite on the bus as the
// server configures it: one stream, a durable consumer per group and topic.
//
// A subscriber made without a group joins one shared group, as a restarted
// instance rejoins its module's: so a new subscriber goes on where a closed
// one stopped (TestContinueAfterSubscribeClose), and several instances
// share a topic's events. Each subscriber of a group of its own starting
// from the stream's first event made that test re-read all 5000 events in
// Watermill's fixed 15 s, which a loaded CI machine once missed.
func TestPubSub(t *testing.T) {
	cfg := busConfig(t)
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:      true,
			ExactlyOnceDelivery: false,
			GuaranteedOrder:     false, // several events of a topic are handled at once
			Persistent:          true,
			// Within one group, a new subscriber gets only what the group
			// has not consumed; TestNewGroupReceivesOldEvents covers a new group.
			NewSubscriberReceivesOldMessages: false,
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) { return pubSub(t, cfg, "suite") },
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) { return pubSub(t, cfg, group) },
	)
}

// A module subscribing for the first time gets every event the stream
// still holds, including those other modules consumed long ago: Watermill's
// own test of it, with each subscriber in a group of its own.
func TestNewGroupReceivesOldEvents(t *testing.T) {
	cfg := busConfig(t)
	tests.TestNewSubscriberReceivesOldMessages(t,
		tests.TestContext{
			TestID:   tests.NewTestID(),
			Features: tests.Features{ConsumerGroups: true, Persistent: true, NewSubscriberReceivesOldMessages: true},
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return pubSub(t, cfg, "solo_"+watermill.NewShortUUID())
		},
	)
}

func TestOpenFailsWhenNoServerAnswers(t *testing.T) {
	_, err := natsbus.Open(natsbus.Config{URL: "nats://127.0.0.1:1", ConnectTimeout: time.Second}, nil)
	if err == nil {
		t.Fatal("Open succeeded with no server")
	}
}

// Closing again is no error, as Watermill's suite (and a second shutdown
// path) may do.
func TestClosingTwiceIsNoError(t *testing.T) {
	bus, err := natsbus.Open(busConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := bus.Subscriber("g")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []interface{ Close() error }{sub, bus} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the drain finishes, the connection is closed
		if err := c.Close(); err != nil {
			t.Fatalf("closing again: %v", err)
		}
	}
}

// An event waits for a free handler, not behind a slow one: with two
// handlers and the first event held unacknowledged, the next ones are
// still handed out as the other handler frees up.
func TestASlowEventHoldsBackNoOther(t *testing.T) {
	cfg := busConfig(t)
	cfg.Subscribers = 2
	bus, err := natsbus.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	sub, err := bus.Subscriber("g")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(t.Context(), "t")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m1", "m2", "m3", "m4"} {
		if err := bus.Publish("t", message.NewMessage(id, nil)); err != nil {
			t.Fatal(err)
		}
	}
	next := func() *message.Message {
		t.Helper()
		select {
		case m := <-msgs:
			return m
		case <-time.After(5 * time.Second):
			t.Fatal("no event handed out while a handler was free")
			return nil
		}
	}
	slow := next() // held until the end
	for range 3 {
		next().Ack()
	}
	slow.Ack()
}
