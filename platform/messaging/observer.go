package messaging

import (
	"errors"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// AttemptObserver is an Observer that also learns, after each attempt at
// an event, the event itself and how the attempt ended (Outcome): a
// development dashboard's live view. NewProcessor asks the Observer once;
// one that is not one costs nothing.
type AttemptObserver interface {
	EventAttempted(module string, msg *message.Message, outcome Outcome, took time.Duration, err error)
}

// Outcome is how an attempt at an event ended.
type Outcome string

// The outcomes.
const (
	OutcomeApplied  Outcome = "applied"  // its effect is made, or was already
	OutcomeRetrying Outcome = "retrying" // it failed and will be tried again
	OutcomePoisoned Outcome = "poisoned" // it failed and is in the poison queue
)

// outcomeOf tells how an attempt that returned err ended.
func outcomeOf(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeApplied
	case errors.As(err, new(poisoned)):
		return OutcomePoisoned
	}
	return OutcomeRetrying
}

// noteAttempt tells the AttemptObserver, if any, of an attempt at msg
// begun at start that returned err.
func (p *Processor) noteAttempt(msg *message.Message, start time.Time, err error) {
	if p.attempts != nil {
		p.attempts.EventAttempted(p.module, msg, outcomeOf(err), time.Since(start), err)
	}
}
