package wiring_test

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/modmono/platform/natsbus/natsbustest"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// proxy forwards TCP connections to a service; down cuts every connection
// and refuses new ones, up serves again on the same address: the service
// going away and coming back, without touching the service itself.
type proxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	p := &proxy{t: t, target: target, conns: map[net.Conn]bool{}}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *proxy) up() {
	p.t.Helper()
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // went down meanwhile
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
	c.Close()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// PostgreSQL or NATS going away makes the server unready, loses nothing it
// acknowledged, and it recovers by itself when they return.
func TestTheServerRidesOutPostgresAndNATSOutages(t *testing.T) {
	db, err := url.Parse(sqldbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	busURL, stream := natsbustest.Stream(t)
	natsURL, err := url.Parse(busURL)
	if err != nil {
		t.Fatal(err)
	}
	pg, bus := newProxy(t, db.Host), newProxy(t, natsURL.Host)
	db.Host, natsURL.Host = pg.addr, bus.addr
	s := startServer(t, "DATABASE_URL", db.String(), "BUS", "nats", "NATS_URL", natsURL.String(),
		"NATS_STREAM", stream, "RELAY_POLL_INTERVAL", "200ms")
	ready := func() bool { return s.do(t, request{Method: "GET", Path: "/readyz"}).Status == 200 }
	unready := func() bool { return s.do(t, request{Method: "GET", Path: "/readyz"}).Status == 503 }

	_, token := s.signUp(t)
	s.placeOrder(t, token, orderBody("A-1"), nil)
	within(t, 30*time.Second, "2 notifications", func() bool { return len(s.notifications(t, token)) == 2 })

	// NATS away: orders are still taken, and their events wait in the outbox.
	bus.down()
	within(t, 30*time.Second, "/readyz 503 without NATS", unready)
	s.placeOrder(t, token, orderBody("A-2"), nil)
	bus.up()
	within(t, 30*time.Second, "/readyz 200 with NATS back", ready)
	within(t, 60*time.Second, "the order placed while NATS was away to notify", func() bool {
		return len(s.notifications(t, token)) == 3
	})

	// PostgreSQL away: nothing can be acknowledged, and the client is told to retry.
	pg.down()
	within(t, 30*time.Second, "/readyz 503 without PostgreSQL", unready)
	res := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("A-3")})
	if res.Status != 503 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("an order while PostgreSQL is away: %d %s, want 503 with Retry-After; logged: %v",
			res.Status, res.Body, s.logs.matching("request failed"))
	}
	pg.up()
	within(t, 30*time.Second, "/readyz 200 with PostgreSQL back", ready)
	s.placeOrder(t, token, orderBody("A-4"), nil)
	within(t, 60*time.Second, "the order placed after PostgreSQL came back to notify", func() bool {
		return len(s.notifications(t, token)) == 4
	})
	// Every acknowledged order is there, and the refused one is not.
	var skus []string
	for _, o := range allPages[order](t, s, token, "/v1/orders", 10) {
		skus = append(skus, o.Items[0].SKU)
	}
	if strings.Join(skus, ",") != "A-4,A-2,A-1" {
		t.Errorf("orders %v, want A-4, A-2, A-1", skus)
	}
	for _, line := range s.logs.matching(`"level":"ERROR"`) {
		if strings.Contains(line, "panic") {
			t.Errorf("a panic during the outages: %s", line)
		}
	}
}
