package messaging

import (
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Stuck reports, once the relay has been unable to put an event on the bus
// for longer than after, how long: a publish still waiting for the bus (or,
// on the in-process bus, for its consumer) or publishes failing since. It
// returns nil while the relay keeps publishing, or has nothing to publish.
func (r *Relay) Stuck(after time.Duration) error {
	if d := r.watch.stuckFor(time.Now()); d > after {
		return fmt.Errorf("%s has not published for %s", r.cfg.ConsumerGroup, d.Round(time.Second))
	}
	return nil
}

// publishWatch records how publishing goes, for Relay.Stuck. One relay
// publishes from one goroutine; Stuck reads from others.
type publishWatch struct {
	message.Publisher
	busySince    atomic.Int64 // unix nanoseconds the publish in flight began; 0: none
	failingSince atomic.Int64 // unix nanoseconds of the first failure since the last success; 0: none
}

func (w *publishWatch) Publish(topic string, msgs ...*message.Message) error {
	w.busySince.Store(time.Now().UnixNano())
	err := w.Publisher.Publish(topic, msgs...)
	w.busySince.Store(0)
	if err != nil {
		w.failingSince.CompareAndSwap(0, time.Now().UnixNano())
	} else {
		w.failingSince.Store(0)
	}
	return err
}

// stuckFor is how long, at now, publishing has not got through.
func (w *publishWatch) stuckFor(now time.Time) time.Duration {
	since := w.failingSince.Load()
	if busy := w.busySince.Load(); busy != 0 && (since == 0 || busy < since) {
		since = busy
	}
	if since == 0 {
		return 0
	}
	return now.Sub(time.Unix(0, since))
}

// acceptTopics picks the outbox rows of topics by the event type the outbox
// stamps on them (see stampedPublisher), and takes every row when topics is
// empty. A row stored without one is taken: topicFilter decides once it is
// unwrapped.
func acceptTopics(topics []string) func(message.Metadata) bool {
	if len(topics) == 0 {
		return nil
	}
	return func(md message.Metadata) bool {
		t := md.Get(MetaEventType)
		return t == "" || slices.Contains(topics, t)
	}
}

// topicFilter publishes only the events of topics; the relay passes over
// the rest as delivered.
type topicFilter struct {
	message.Publisher
	topics []string
}

func (f topicFilter) Publish(topic string, msgs ...*message.Message) error {
	if !slices.Contains(f.topics, topic) {
		return nil
	}
	return f.Publisher.Publish(topic, msgs...)
}
