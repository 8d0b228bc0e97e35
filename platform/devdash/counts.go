package devdash

import (
	"sync"
	"time"
)

// counts keeps, per edge of the architecture (producer → consumer of a
// topic), how many events went along it in each of the last seconds and
// how many failed: the diagram's live figures.
type counts struct {
	mu    sync.Mutex
	edges map[edgeKey]*edgeCount
}

type edgeKey struct{ From, To, Topic string }

type edgeCount struct {
	second  int64
	perSec  [10]int // ring by second
	applied int
	failed  int
}

func newCounts() *counts { return &counts{edges: map[edgeKey]*edgeCount{}} }

// add counts one event along from → to; applied counts only for a
// consumer's attempt (relays only add to the rate).
func (c *counts) add(from, to, topic string, ok, attempt bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := edgeKey{from, to, topic}
	e := c.edges[k]
	if e == nil {
		e = &edgeCount{}
		c.edges[k] = e
	}
	now := time.Now().Unix()
	e.roll(now)
	switch {
	case attempt && ok:
		e.applied++
		e.perSec[now%int64(len(e.perSec))]++
	case attempt:
		e.failed++
	}
}

// roll clears the seconds passed since the last count.
func (e *edgeCount) roll(now int64) {
	for s := e.second + 1; s <= now && s <= e.second+int64(len(e.perSec)); s++ {
		e.perSec[s%int64(len(e.perSec))] = 0
	}
	e.second = now
}

// EdgeCount is the live figures of one edge.
type EdgeCount struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Topic   string  `json:"topic"`
	Rate    float64 `json:"per_second"` // applied, over the last 10 s
	Applied int     `json:"applied"`
	Failed  int     `json:"failed"`
}

// Edges returns every edge's figures.
func (h *Hub) Edges() []EdgeCount {
	c := h.counts
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now().Unix()
	out := make([]EdgeCount, 0, len(c.edges))
	for k, e := range c.edges {
		e.roll(now)
		sum := 0
		for _, n := range e.perSec {
			sum += n
		}
		out = append(out, EdgeCount{From: k.From, To: k.To, Topic: k.Topic, Rate: float64(sum) / float64(len(e.perSec)),
			Applied: e.applied, Failed: e.failed})
	}
	return out
}
