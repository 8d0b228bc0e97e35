package wiring

import (
	"context"
	"fmt"
	"slices"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/devdash"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/tracing"
)

// noteRoutes keeps m's routes for the architecture page: m registers them
// once more, on an Echo of their own, where they can be read back.
func (d *dashboard) noteRoutes(m modular.Module) {
	if d == nil {
		return
	}
	e := echo.New()
	m.RegisterRoutes(e)
	var routes []string
	for _, r := range e.Routes() {
		if r.Method != "echo_route_any" {
			routes = append(routes, r.Method+" "+r.Path)
		}
	}
	slices.Sort(routes)
	d.routes[m.Name()] = slices.Compact(routes)
}

// architectureModule is one module as the architecture page draws it.
type architectureModule struct {
	Name      string   `json:"name"`
	Routes    []string `json:"routes"`
	Publishes []string `json:"publishes"`
	Consumes  []string `json:"consumes"`
}

// architecture describes the modules that run here: their routes, the
// topics they consume, and those they publish that some module consumes.
func (s *Server) architecture(context.Context) (any, error) {
	out := make([]architectureModule, 0, len(s.modules))
	publishes := map[string][]string{}
	for _, m := range s.modules {
		for _, h := range m.Handlers() {
			if p, err := s.producerOf(h.Topic); err == nil && !slices.Contains(publishes[p.Name()], h.Topic) {
				publishes[p.Name()] = append(publishes[p.Name()], h.Topic)
			}
		}
	}
	for _, m := range s.modules {
		a := architectureModule{Name: m.Name(), Routes: s.dash.routes[m.Name()], Publishes: publishes[m.Name()], Consumes: []string{}}
		for _, h := range m.Handlers() {
			a.Consumes = append(a.Consumes, h.Topic)
		}
		slices.Sort(a.Publishes)
		out = append(out, a)
	}
	return map[string]any{"modules": out}, nil
}

// edges are the architecture's live figures: events along each edge, and
// each outbox's backlog.
func (s *Server) edges(ctx context.Context) (any, error) {
	outboxes, err := serverQueues{s}.Outboxes(ctx)
	return map[string]any{"edges": s.dash.events.Edges(), "outboxes": outboxes}, err
}

// serverQueues are the server's modules' outboxes and poison queues.
type serverQueues struct{ s *Server }

func (q serverQueues) Outboxes(ctx context.Context) ([]devdash.Outbox, error) {
	out := make([]devdash.Outbox, 0, len(q.s.modules))
	for _, m := range q.s.modules {
		st, err := messaging.OutboxBacklog(ctx, m.DB())
		o := devdash.Outbox{Module: m.Name(), Backlog: st.Backlog, Oldest: st.Oldest}
		if err != nil {
			o.Error = err.Error() // one module's fault shows on its row
		}
		out = append(out, o)
	}
	return out, nil
}

// shownPoisoned is the most events of each poison queue the page lists.
const shownPoisoned = 200

func (q serverQueues) Poisoned(ctx context.Context) ([]devdash.Poisoned, error) {
	var out []devdash.Poisoned
	for _, m := range q.s.modules {
		events, err := messaging.Poisoned(ctx, m.DB(), "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name(), err)
		}
		for _, ev := range events[:min(len(events), shownPoisoned)] {
			p := devdash.Poisoned{Module: m.Name(), ID: ev.ID, Type: ev.Type, Reason: ev.Reason, Attempts: ev.Attempts,
				PoisonedAt: ev.PoisonedAt, Payload: string(ev.Message.Payload)}
			if sc := traceOf(ev.Message.Metadata); sc != "" {
				p.TraceID = sc
			}
			out = append(out, p)
		}
	}
	return append([]devdash.Poisoned{}, out...), nil
}

// Repair runs what `modmono events replay|drop MODULE ID` runs.
func (q serverQueues) Repair(ctx context.Context, action, module, id string) error {
	for _, m := range q.s.modules {
		if m.Name() == module {
			return repairEvent(ctx, action, q.s.processors[module], m.DB(), id)
		}
	}
	return fmt.Errorf("no module %q runs here", module)
}

// traceOf is the trace id an event's metadata names, or "".
func traceOf(md map[string]string) string {
	sc := tracing.SpanContextOf(md)
	if !sc.IsValid() {
		return ""
	}
	return sc.TraceID().String()
}
