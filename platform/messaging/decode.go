package messaging

import (
	"encoding/json"
	"fmt"
)

// Payload is an event payload that can check its own required fields.
type Payload interface {
	Validate() error
}

// Decode reads ev's JSON payload into a T and validates it. Any failure is
// Malformed: events are untrusted input, and a bad one is poisoned, not retried.
func Decode[T Payload](ev Event) (T, error) {
	var p T
	if t := ev.Metadata.Get(MetaEventType); t != "" && t != ev.Topic {
		return p, Malformed(fmt.Errorf("event type %q arrived on topic %q", t, ev.Topic))
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return p, Malformed(fmt.Errorf("%s: %w", ev.Topic, err))
	}
	if err := p.Validate(); err != nil {
		return p, Malformed(fmt.Errorf("%s: %w", ev.Topic, err))
	}
	return p, nil
}
