package devdash

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Queues is each module's outbox and poison queue, and their repair.
type Queues interface {
	// Outboxes lists each module's outbox backlog.
	Outboxes(ctx context.Context) ([]Outbox, error)
	// Poisoned lists each module's poisoned events.
	Poisoned(ctx context.Context) ([]Poisoned, error)
	// Repair replays or drops (action) module's poisoned event id.
	Repair(ctx context.Context, action, module, id string) error
}

// Outbox is one module's outbox backlog.
type Outbox struct {
	Module  string    `json:"module"`
	Backlog int       `json:"backlog"`
	Oldest  time.Time `json:"oldest,omitzero"`
	Error   string    `json:"error,omitempty"`
}

// Poisoned is one event in a module's poison queue.
type Poisoned struct {
	Module     string    `json:"module"`
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Reason     string    `json:"reason"`
	Attempts   int       `json:"attempts"`
	PoisonedAt time.Time `json:"poisoned_at"`
	Payload    string    `json:"payload"`
	TraceID    string    `json:"trace_id,omitempty"`
}

func (d *Dashboard) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/traces", func(w http.ResponseWriter, r *http.Request) {
		if d.src.Spans == nil {
			writeJSON(w, []TraceSummary{})
			return
		}
		writeJSON(w, d.src.Spans.Traces(200))
	})
	mux.HandleFunc("GET /api/traces/{id}", func(w http.ResponseWriter, r *http.Request) {
		var spans []Span
		if d.src.Spans != nil {
			spans = d.src.Spans.Trace(r.PathValue("id"))
		}
		writeJSON(w, append([]Span{}, spans...))
	})
	mux.HandleFunc("GET /api/events", func(w http.ResponseWriter, r *http.Request) {
		if d.src.Events == nil {
			writeJSON(w, []any{})
			return
		}
		writeJSON(w, d.src.Events.Recent())
	})
	mux.HandleFunc("GET /api/events/stream", d.stream)
	mux.HandleFunc("GET /api/queues", d.queues)
	mux.HandleFunc("POST /api/queues/{module}/{id}/{action}", d.repair)
	mux.HandleFunc("POST /api/call", d.call)
	mux.HandleFunc("GET /api/architecture", d.described(d.src.Architecture))
	mux.HandleFunc("GET /api/edges", d.described(d.src.Edges))
}

// stream sends each change of an event as a server-sent event until the
// page goes away.
func (d *Dashboard) stream(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok || d.src.Events == nil {
		http.Error(w, "no event stream here", http.StatusNotFound)
		return
	}
	changes, stop := d.src.Events.Subscribe()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, ": events\n\n")
	flusher.Flush()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case raw := <-changes:
			fmt.Fprintf(w, "data: %s\n\n", raw) // JSON holds no raw newline
		case <-keepAlive.C:
			fmt.Fprint(w, ": alive\n\n")
		}
		flusher.Flush()
	}
}

func (d *Dashboard) queues(w http.ResponseWriter, r *http.Request) {
	if d.src.Queues == nil {
		writeJSON(w, map[string]any{"outboxes": []Outbox{}, "poisoned": []Poisoned{}})
		return
	}
	outboxes, err := d.src.Queues.Outboxes(r.Context())
	if err != nil {
		d.fail(w, err)
		return
	}
	poisoned, err := d.src.Queues.Poisoned(r.Context())
	if err != nil {
		d.fail(w, err)
		return
	}
	writeJSON(w, map[string]any{"outboxes": outboxes, "poisoned": poisoned})
}

// repair replays or drops one poisoned event and says how it went.
func (d *Dashboard) repair(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if action != "replay" && action != "drop" || d.src.Queues == nil {
		http.Error(w, "no such action", http.StatusNotFound)
		return
	}
	err := d.src.Queues.Repair(r.Context(), action, r.PathValue("module"), r.PathValue("id"))
	result := map[string]any{"action": action, "module": r.PathValue("module"), "id": r.PathValue("id"), "done": err == nil}
	if err != nil {
		result["error"] = err.Error()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(result)
		return
	}
	writeJSON(w, result)
}

// described serves what describe returns, JSON-encoded.
func (d *Dashboard) described(describe func(context.Context) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if describe == nil {
			writeJSON(w, nil)
			return
		}
		v, err := describe(r.Context())
		if err != nil {
			d.fail(w, err)
			return
		}
		writeJSON(w, v)
	}
}

func (d *Dashboard) fail(w http.ResponseWriter, err error) {
	d.logger.Error("dashboard", "error", err)
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
