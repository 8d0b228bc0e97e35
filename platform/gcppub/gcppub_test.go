package gcppub_test

import (
	"context"
	"testing"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"github.com/ThreeDotsLabs/watermill/message"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"example.com/modmono/platform/gcppub"
)

// Pub/Sub here is its Go client's own fake (pstest), served over gRPC on
// loopback: the real client library talks to it as to the service.
func TestPublishKeepsPayloadAndMetadata(t *testing.T) {
	srv := pstest.NewServer()
	t.Cleanup(func() { srv.Close() })
	dial := func() *grpc.ClientConn {
		conn, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	ctx := context.Background()
	const topic, sub = "projects/p/topics/events", "projects/p/subscriptions/notifications"
	admin, err := pubsub.NewClient(ctx, "p", option.WithGRPCConn(dial()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{Name: sub, Topic: topic}); err != nil {
		t.Fatal(err)
	}

	p, err := gcppub.New(ctx, topic, option.WithGRPCConn(dial()))
	if err != nil {
		t.Fatal(err)
	}
	msg := message.NewMessage("ev-1", []byte(`{"order_id":"o-1"}`))
	msg.Metadata.Set("event_id", "ev-1")
	msg.Metadata.Set("correlation_id", "corr-1")
	if err := p.Publish("orders.OrderPlaced.v1", msg); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages published, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Topic != topic || string(m.Data) != `{"order_id":"o-1"}` || m.Attributes["event_type"] != "orders.OrderPlaced.v1" ||
		m.Attributes["event_id"] != "ev-1" || m.Attributes["correlation_id"] != "corr-1" {
		t.Fatalf("published to %s: %s %v", m.Topic, m.Data, m.Attributes)
	}
	// The push subscription of the module that consumes it gets it.
	res, err := admin.SubscriptionAdminClient.Pull(ctx, &pubsubpb.PullRequest{Subscription: sub, MaxMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ReceivedMessages) != 1 || res.ReceivedMessages[0].Message.Attributes["event_id"] != "ev-1" {
		t.Fatalf("the subscription received %v", res.ReceivedMessages)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish("orders.OrderPlaced.v1", msg); err == nil {
		t.Fatal("a closed publisher published")
	}
}

func TestNewRefusesANameThatIsNoTopic(t *testing.T) {
	for _, name := range []string{"events", "projects/p/events", "projects//topics/t", "projects/p/topics/"} {
		if _, err := gcppub.New(context.Background(), name); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
}
