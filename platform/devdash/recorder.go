package devdash

import (
	"context"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Span is an ended span as the dashboard shows it.
type Span struct {
	TraceID  string            `json:"trace_id"`
	SpanID   string            `json:"span_id"`
	ParentID string            `json:"parent_id,omitempty"`
	Name     string            `json:"name"`
	Kind     string            `json:"kind"`
	Start    time.Time         `json:"start"`
	Took     float64           `json:"took_ms"`
	Error    string            `json:"error,omitempty"`
	Failed   bool              `json:"failed"`
	Attrs    map[string]string `json:"attrs"`
	Events   []string          `json:"events,omitempty"`
}

// Recorder keeps the last spans the process ended in a bounded ring: an
// OpenTelemetry SpanProcessor, so that it sees what an exporter would.
type Recorder struct {
	mu   sync.Mutex
	ring []sdktrace.ReadOnlySpan // ended spans are immutable: read when shown
	next int
	full bool
}

var _ sdktrace.SpanProcessor = (*Recorder)(nil)

// NewRecorder keeps the last size spans.
func NewRecorder(size int) *Recorder {
	return &Recorder{ring: make([]sdktrace.ReadOnlySpan, max(size, 1))}
}

// OnStart implements sdktrace.SpanProcessor.
func (r *Recorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd keeps s: on the path of every request and event, so it only
// stores it; spans are made readable when a page asks.
func (r *Recorder) OnEnd(s sdktrace.ReadOnlySpan) {
	r.mu.Lock()
	r.ring[r.next] = s
	r.next = (r.next + 1) % len(r.ring)
	r.full = r.full || r.next == 0
	r.mu.Unlock()
}

// Shutdown implements sdktrace.SpanProcessor.
func (r *Recorder) Shutdown(context.Context) error { return nil }

// ForceFlush implements sdktrace.SpanProcessor.
func (r *Recorder) ForceFlush(context.Context) error { return nil }

func toSpan(s sdktrace.ReadOnlySpan) Span {
	sc := s.SpanContext()
	out := Span{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(), Name: s.Name(),
		Kind: s.SpanKind().String(), Start: s.StartTime(), Took: float64(s.EndTime().Sub(s.StartTime()).Microseconds()) / 1000,
		Attrs: make(map[string]string, len(s.Attributes()))}
	if p := s.Parent(); p.IsValid() {
		out.ParentID = p.SpanID().String()
	}
	if st := s.Status(); st.Code == codes.Error {
		out.Failed, out.Error = true, st.Description
	}
	for _, a := range s.Attributes() {
		out.Attrs[string(a.Key)] = a.Value.String()
	}
	for _, e := range s.Events() {
		out.Events = append(out.Events, e.Name)
	}
	return out
}

// spans returns the kept spans, oldest first.
func (r *Recorder) spans() []Span {
	r.mu.Lock()
	kept := slices.Clone(r.ring[:r.next])
	if r.full {
		kept = append(slices.Clone(r.ring[r.next:]), kept...)
	}
	r.mu.Unlock()
	out := make([]Span, len(kept))
	for i, s := range kept {
		out[i] = toSpan(s)
	}
	return out
}

// TraceSummary is one trace in the list: its first span's name, when it
// began, how long it lasted from its first span's start to its last's end.
type TraceSummary struct {
	TraceID string    `json:"trace_id"`
	Name    string    `json:"name"`
	Start   time.Time `json:"start"`
	Took    float64   `json:"took_ms"`
	Spans   int       `json:"spans"`
	Failed  bool      `json:"failed"`
}

// Traces lists the traces of the kept spans, newest first, at most limit.
func (r *Recorder) Traces(limit int) []TraceSummary {
	byTrace := map[string][]Span{}
	for _, s := range r.spans() {
		byTrace[s.TraceID] = append(byTrace[s.TraceID], s)
	}
	out := make([]TraceSummary, 0, len(byTrace))
	for id, spans := range byTrace {
		out = append(out, summarize(id, spans))
	}
	slices.SortFunc(out, func(a, b TraceSummary) int { return b.Start.Compare(a.Start) })
	return out[:min(len(out), limit)]
}

// summarize names a trace after its root: the earliest span whose parent
// is not among its spans (a client's, or none).
func summarize(id string, spans []Span) TraceSummary {
	ids := make(map[string]bool, len(spans))
	for _, s := range spans {
		ids[s.SpanID] = true
	}
	t := TraceSummary{TraceID: id, Start: spans[0].Start, Spans: len(spans)}
	var end, rootStart time.Time
	for _, s := range spans {
		if s.Start.Before(t.Start) {
			t.Start = s.Start
		}
		if e := s.Start.Add(time.Duration(s.Took * float64(time.Millisecond))); e.After(end) {
			end = e
		}
		if !ids[s.ParentID] && (t.Name == "" || s.Start.Before(rootStart)) {
			t.Name, rootStart = s.Name, s.Start
		}
		t.Failed = t.Failed || s.Failed
	}
	t.Took = float64(end.Sub(t.Start).Microseconds()) / 1000
	return t
}

// Trace returns the kept spans of trace id, in the order they started.
func (r *Recorder) Trace(id string) []Span {
	var out []Span
	for _, s := range r.spans() {
		if s.TraceID == id {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Span) int { return a.Start.Compare(b.Start) })
	return out
}
