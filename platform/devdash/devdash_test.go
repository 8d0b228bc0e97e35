package devdash_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/devdash"
)

// queues records the repairs asked of it: the real queues are the
// wiring's, tested there; this stands in to show what reaches them.
type queues struct{ repaired []string }

func (q *queues) Outboxes(context.Context) ([]devdash.Outbox, error)   { return nil, nil }
func (q *queues) Poisoned(context.Context) ([]devdash.Poisoned, error) { return nil, nil }
func (q *queues) Repair(_ context.Context, action, module, id string) error {
	q.repaired = append(q.repaired, action+" "+module+" "+id)
	return nil
}

func start(t *testing.T, token string) (*httptest.Server, *queues) {
	t.Helper()
	q := &queues{}
	d := devdash.New(devdash.Config{Token: token}, devdash.Sources{Queues: q, Events: devdash.NewHub(10)}, slog.New(slog.DiscardHandler))
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = d.Handler(srv.Listener.Addr().String())
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, q
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestANonLoopbackAddressNeedsAToken(t *testing.T) {
	tests := []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:9400", "", true},
		{"localhost:9400", "", true},
		{"[::1]:9400", "", true},
		{"0.0.0.0:9400", "", false},
		{":9400", "", false},
		{"192.168.1.5:9400", "", false},
		{"192.168.1.5:9400", "s3cret-token", true},
		{":9400", "s3cret-token", true},
	}
	for _, tc := range tests {
		if err := devdash.CheckAddr(tc.addr, tc.token); (err == nil) != tc.ok {
			t.Errorf("CheckAddr(%q, token %q) = %v; want ok %v", tc.addr, tc.token, err, tc.ok)
		}
	}
}

func TestARequestNamingAnotherHostIsRefused(t *testing.T) {
	srv, _ := start(t, "")
	_, port, _ := strings.Cut(srv.Listener.Addr().String(), ":")
	for host, want := range map[string]int{
		"127.0.0.1:" + port:          200,
		"localhost:" + port:          200,
		"attacker.example:" + port:   http.StatusMisdirectedRequest, // a rebound DNS name
		"127.0.0.1:1":                http.StatusMisdirectedRequest,
		"localhost.attacker.example": http.StatusMisdirectedRequest,
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/traces", nil)
		req.Host = host
		if got, body := do(t, req); got != want {
			t.Errorf("Host %s: %d %s; want %d", host, got, body, want)
		}
	}
}

func TestACrossOriginPostIsRefused(t *testing.T) {
	srv, q := start(t, "")
	post := func(origin, site, contentType string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/api/queues/orders/e1/drop", strings.NewReader("{}"))
		req.Header.Set("Content-Type", contentType)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		code, _ := do(t, req)
		return code
	}
	for _, tc := range []struct {
		origin, site, contentType string
		want                      int
	}{
		{"http://evil.example", "cross-site", "application/json", 403},
		{"http://" + strings.TrimPrefix(srv.URL, "http://") + ".evil.example", "", "application/json", 403},
		{"null", "", "application/json", 403},
		{"", "cross-site", "application/json", 403},
		{srv.URL, "same-origin", "text/plain", 403}, // a form can send this without a preflight
		{srv.URL, "same-origin", "application/json", 200},
		{"", "", "application/json", 200}, // curl: no browser, no CSRF
	} {
		if got := post(tc.origin, tc.site, tc.contentType); got != tc.want {
			t.Errorf("Origin %q, Sec-Fetch-Site %q, %s: %d; want %d", tc.origin, tc.site, tc.contentType, got, tc.want)
		}
	}
	if len(q.repaired) != 2 {
		t.Errorf("repairs that reached the queues: %q; want the two allowed", q.repaired)
	}
}

func TestATokenIsAskedOfEveryRequestWhenSet(t *testing.T) {
	srv, _ := start(t, "s3cret-token")
	client := &http.Client{Jar: newJar(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, header ...string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if len(header) == 2 {
			req.Header.Set(header[0], header[1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := get("/"); got != 401 {
		t.Errorf("no token: %d; want 401", got)
	}
	if got := get("/api/traces", "X-Dashboard-Token", "wrong"); got != 401 {
		t.Errorf("a wrong token: %d; want 401", got)
	}
	if got := get("/api/traces", "X-Dashboard-Token", "s3cret-token"); got != 200 {
		t.Errorf("the token in its header: %d; want 200", got)
	}
	if got := get("/?token=s3cret-token"); got != 200 {
		t.Errorf("the token as ?token=: %d; want 200", got)
	}
	if got := get("/api/traces"); got != 200 {
		t.Errorf("after ?token=, with the cookie it set: %d; want 200", got)
	}
}

func TestTheEventStreamSendsEachChange(t *testing.T) {
	hub := devdash.NewHub(10)
	d := devdash.New(devdash.Config{}, devdash.Sources{Events: hub}, slog.New(slog.DiscardHandler))
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = d.Handler(srv.Listener.Addr().String())
	srv.Start()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/events/stream", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 64)
	if _, err := res.Body.Read(buf); err != nil { // the stream's opening comment: subscribed
		t.Fatal(err)
	}
	seen := func() devdash.Seen {
		return devdash.Seen{ID: "e1", Topic: "orders.OrderPlaced.v1", Producer: "orders",
			Payload: []byte(`{"user_id":"u1","note":"<script>alert(1)</script>"}`)}
	}
	hub.Attempted("e1", seen, "notifications", "applied", "", time.Millisecond, time.Now(), nil)
	var got strings.Builder
	for !strings.Contains(got.String(), "\n\n") || !strings.Contains(got.String(), "data:") {
		n, err := res.Body.Read(buf)
		if err != nil {
			t.Fatalf("stream ended: %v after %q", err, got.String())
		}
		got.Write(buf[:n])
	}
	for _, want := range []string{`"id":"e1"`, `"user_id":"u1"`, `"outcome":"applied"`, `\u003cscript\u003e`} {
		if !strings.Contains(got.String(), want) {
			t.Errorf("stream sent %s; want %s in it", got.String(), want)
		}
	}
}
