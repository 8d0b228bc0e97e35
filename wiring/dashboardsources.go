package wiring

import (
	"context"
	"fmt"

	"example.com/modmono/platform/devdash"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/tracing"
)

// architectureModule is one module as the architecture page draws it.
type architectureModule struct {
	Name      string   `json:"name"`
	Routes    []string `json:"routes"`
	Tables    []string `json:"tables"`
	Publishes []string `json:"publishes"`
	Consumes  []string `json:"consumes"`
}

// architectureTopic is one topic, for the edges' details.
type architectureTopic struct {
	Name      string   `json:"name"`
	Version   int      `json:"version"`
	Producer  string   `json:"producer"`
	Consumers []string `json:"consumers"`
	Fields    []string `json:"fields"`
}

// architecture is Describe's System (i21's, which docs/modules.md is
// made of) as the page draws it: described once, on first asking.
func (d *dashboard) architecture(ctx context.Context) (any, error) {
	d.describe.Do(func() { d.system, d.describeErr = Describe(ctx, DescribeOptions{Config: d.cfg}) })
	if d.describeErr != nil {
		return nil, d.describeErr
	}
	out := struct {
		Modules []architectureModule `json:"modules"`
		Topics  []architectureTopic  `json:"topics"`
	}{Modules: []architectureModule{}, Topics: []architectureTopic{}}
	for _, m := range d.system.Modules {
		a := architectureModule{Name: m.Name, Publishes: m.Publishes, Consumes: m.Consumes}
		for _, r := range m.Routes {
			a.Routes = append(a.Routes, r.Method+" "+r.Path)
		}
		for _, t := range m.Tables {
			a.Tables = append(a.Tables, t.Name)
		}
		out.Modules = append(out.Modules, a)
	}
	for _, t := range d.system.Topics {
		a := architectureTopic{Name: t.Name, Version: t.Version, Producer: t.Producer, Consumers: t.Consumers}
		for _, f := range t.Fields {
			a.Fields = append(a.Fields, f.Path+": "+f.Type)
		}
		out.Topics = append(out.Topics, a)
	}
	return out, nil
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
