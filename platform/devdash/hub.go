package devdash

import (
	"encoding/json"
	"sync"
	"time"
)

// Event is one event's journey as the dashboard shows it: committed by its
// producer, relayed to each consumer (or onto the bus), and each
// consumer's attempts at applying it.
type Event struct {
	ID            string            `json:"id"`
	Topic         string            `json:"topic"`
	Producer      string            `json:"producer"`
	CorrelationID string            `json:"correlation_id"`
	UserID        string            `json:"user_id,omitempty"`
	TraceID       string            `json:"trace_id,omitempty"`
	OccurredAt    time.Time         `json:"occurred_at"`
	CommittedAt   *time.Time        `json:"committed_at,omitempty"` // nil: seen first on its relay
	Payload       string            `json:"payload"`
	Metadata      map[string]string `json:"metadata"`
	Relays        []Relayed         `json:"relays"`
	Consumers     []Applied         `json:"consumers"`
}

// Relayed is one relay's publishing of the event.
type Relayed struct {
	To      string    `json:"to"`
	At      time.Time `json:"at"`
	Latency float64   `json:"latency_ms"` // since it occurred
	Error   string    `json:"error,omitempty"`
}

// Applied is one consumer's latest attempt at the event.
type Applied struct {
	Module   string    `json:"module"`
	Outcome  string    `json:"outcome"` // applied, retrying, poisoned
	Attempts int       `json:"attempts"`
	At       time.Time `json:"at"`
	Took     float64   `json:"took_ms"`
	Latency  float64   `json:"latency_ms"` // from occurring to this outcome
	Error    string    `json:"error,omitempty"`
	TraceID  string    `json:"trace_id,omitempty"`
}

// Seen is what an observer tells the hub of an event; the hub asks for it
// (a func) only on an event's first sighting.
type Seen struct {
	ID, Topic, Producer, CorrelationID, TraceID string
	OccurredAt                                  time.Time
	Payload                                     []byte
	Metadata                                    map[string]string
}

// maxShownPayload is the most of a payload the hub keeps.
const maxShownPayload = 64 << 10

// Hub keeps the last events and streams their changes to subscribers.
type Hub struct {
	mu     sync.Mutex
	size   int
	order  []string
	byID   map[string]*Event
	subs   map[chan []byte]struct{}
	counts *counts
}

// NewHub keeps the last size events.
func NewHub(size int) *Hub {
	return &Hub{size: max(size, 1), byID: map[string]*Event{}, subs: map[chan []byte]struct{}{}, counts: newCounts()}
}

// Committed records that the transaction that stored ev committed at at.
func (h *Hub) Committed(id string, ev func() Seen, at time.Time) {
	h.update(id, ev, func(e *Event) { e.CommittedAt = &at })
}

// Relayed records that a relay published ev to "to" (a consumer, or the
// bus), failing with err.
func (h *Hub) Relayed(id string, ev func() Seen, to string, at time.Time, err error) {
	h.update(id, ev, func(e *Event) {
		r := Relayed{To: to, At: at, Latency: msSince(e.OccurredAt, at)}
		if err != nil {
			r.Error = err.Error()
		}
		e.Relays = append(e.Relays, r)
		h.counts.add(e.Producer, to, e.Topic, err == nil, false)
	})
}

// Attempted records a consumer's attempt at ev: its outcome and error.
// traceID is the trace of the attempt.
func (h *Hub) Attempted(id string, ev func() Seen, module, outcome, traceID string, took time.Duration, at time.Time, err error) {
	h.update(id, ev, func(e *Event) {
		a := Applied{Module: module, Outcome: outcome, At: at, Took: float64(took.Microseconds()) / 1000,
			Latency: msSince(e.OccurredAt, at), TraceID: traceID}
		if err != nil {
			a.Error = err.Error()
		}
		for i, c := range e.Consumers {
			if c.Module == module {
				a.Attempts = c.Attempts + 1
				e.Consumers[i] = a
				h.counts.add(e.Producer, module, e.Topic, outcome == "applied", true)
				return
			}
		}
		a.Attempts = 1
		e.Consumers = append(e.Consumers, a)
		h.counts.add(e.Producer, module, e.Topic, outcome == "applied", true)
	})
}

func msSince(from, to time.Time) float64 {
	if from.IsZero() {
		return 0
	}
	return float64(to.Sub(from).Microseconds()) / 1000
}

// update applies change to event id's record, made from seen on first
// sight, and streams the result to the pages that follow.
func (h *Hub) update(id string, seen func() Seen, change func(*Event)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.byID[id]
	if !ok {
		e = newEvent(seen())
		h.byID[id] = e
		h.order = append(h.order, id)
		if len(h.order) > h.size {
			delete(h.byID, h.order[0])
			h.order = h.order[1:]
		}
	}
	change(e)
	if len(h.subs) == 0 {
		return
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return
	}
	for sub := range h.subs {
		select {
		case sub <- raw:
		default: // a slow page misses an update, never slows an event
		}
	}
}

func newEvent(ev Seen) *Event {
	payload := ev.Payload
	if len(payload) > maxShownPayload {
		payload = payload[:maxShownPayload]
	}
	var fields struct {
		UserID string `json:"user_id"`
	}
	_ = json.Unmarshal(payload, &fields) // a payload that is no object has no user
	return &Event{ID: ev.ID, Topic: ev.Topic, Producer: ev.Producer, CorrelationID: ev.CorrelationID,
		UserID: fields.UserID, TraceID: ev.TraceID, OccurredAt: ev.OccurredAt, Payload: string(payload),
		Metadata: ev.Metadata, Relays: []Relayed{}, Consumers: []Applied{}}
}

// Recent returns the kept events, oldest first, JSON-encoded.
func (h *Hub) Recent() []json.RawMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]json.RawMessage, 0, len(h.order))
	for _, id := range h.order {
		if raw, err := json.Marshal(h.byID[id]); err == nil {
			out = append(out, raw)
		}
	}
	return out
}

// Subscribe returns a channel of every change from now on, and the
// function that ends it.
func (h *Hub) Subscribe() (<-chan []byte, func()) {
	ch := make(chan []byte, 256)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}
