package messaging

import (
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
)

// NewInProcessBus returns the bus of a single process. Publish blocks until
// every subscriber has acknowledged the message, so the relay moves its offset
// only after the consumers committed their effect: a crash in between makes
// the relay send the message again, never lose it.
//
// A message published while no consumer subscribes to its topic is dropped,
// as no module running here needs it; so start consumers before relays, and
// stop relays before consumers.
func NewInProcessBus(logger watermill.LoggerAdapter) *gochannel.GoChannel {
	return gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)
}
