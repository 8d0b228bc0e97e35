package wiring_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

// dash is the development dashboard of a test server.
type dash struct {
	t   *testing.T
	url string
}

// startDashboard starts the server with its dashboard on a loopback port.
func startDashboard(t *testing.T, env ...string) (*testServer, dash) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := startServer(t, append(env, "DEV_DASHBOARD_ADDR", addr)...)
	return s, dash{t: t, url: "http://" + addr}
}

// do calls the dashboard; header holds name, value pairs.
func (d dash) do(method, path string, header ...string) (int, []byte) {
	d.t.Helper()
	req, err := http.NewRequest(method, d.url+path, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

type dashEvent struct {
	ID          string `json:"id"`
	Topic       string `json:"topic"`
	TraceID     string `json:"trace_id"`
	CommittedAt string `json:"committed_at"`
	Consumers   []struct {
		Module, Outcome string
	} `json:"consumers"`
}

// applied finds the event of topic that module applied.
func (d dash) applied(topic, module string) (dashEvent, bool) {
	_, body := d.do("GET", "/api/events")
	var events []dashEvent
	if err := json.Unmarshal(body, &events); err != nil {
		d.t.Fatalf("%v: %s", err, body)
	}
	for _, ev := range events {
		for _, c := range ev.Consumers {
			if ev.Topic == topic && c.Module == module && c.Outcome == "applied" {
				return ev, true
			}
		}
	}
	return dashEvent{}, false
}

func TestTheDashboardFollowsEventsToTheirTraceAndRepairsTheQueues(t *testing.T) {
	s, d := startDashboard(t, "CONSUMER_MAX_RETRIES", "1")
	_, token := s.signUp(t)
	s.placeOrder(t, token, orderBody("DASH-1"), nil)
	var placed dashEvent
	eventually(t, "OrderPlaced applied by notifications on the dashboard", func() bool {
		var ok bool
		placed, ok = d.applied("orders.OrderPlaced.v1", "notifications")
		return ok
	})
	if placed.CommittedAt == "" {
		t.Errorf("the placed order's event shows no commit: %+v", placed)
	}
	_, body := d.do("GET", "/api/traces/"+placed.TraceID)
	for _, name := range []string{`"POST /v1/orders"`, `"relay orders.OrderPlaced.v1"`, `"process orders.OrderPlaced.v1"`} {
		if !strings.Contains(string(body), name) {
			t.Errorf("the event's trace has no span %s: %s", name, body)
		}
	}

	notifications := openModuleDB(t, s.Config, "notifications")
	execSQL(t, notifications.Write, `ALTER TABLE recipients RENAME TO recipients_broken`)
	s.placeOrder(t, token, orderBody("DASH-2"), nil)
	var queues struct {
		Poisoned []struct{ Module, ID, Reason string }
	}
	eventually(t, "the poisoned event on the queues page", func() bool {
		_, body := d.do("GET", "/api/queues")
		if err := json.Unmarshal(body, &queues); err != nil {
			t.Fatal(err)
		}
		return len(queues.Poisoned) == 1
	})
	execSQL(t, notifications.Write, `ALTER TABLE recipients_broken RENAME TO recipients`)
	replay := "/api/queues/notifications/" + queues.Poisoned[0].ID + "/replay"
	if code, body := d.do("POST", replay, "Origin", "http://evil.example", "Content-Type", "application/json"); code != 403 {
		t.Fatalf("a replay asked from another origin: %d %s; want 403", code, body)
	}
	if code, body := d.do("POST", replay, "Origin", d.url, "Content-Type", "application/json"); code != 200 || !strings.Contains(string(body), `"done":true`) {
		t.Fatalf("replay: %d %s", code, body)
	}
	if code, body := d.do("POST", replay, "Origin", d.url); code != 409 || !strings.Contains(string(body), "no such event in the poison queue") {
		t.Errorf("a second replay: %d %s; want 409 saying it is gone", code, body)
	}
	var list struct{ Items []struct{ Kind string } }
	s.do(t, request{Method: "GET", Path: "/v1/notifications", Token: token}).expect(t, 200).decode(t, &list)
	placedNotes := 0
	for _, n := range list.Items {
		if n.Kind == "order_placed" {
			placedNotes++
		}
	}
	if placedNotes != 2 {
		t.Errorf("%d order_placed notifications after the replay; want 2, one per order", placedNotes)
	}
}

func TestTheDashboardAnswersOnlyToItsOwnHost(t *testing.T) {
	_, d := startDashboard(t)
	port := d.url[strings.LastIndex(d.url, ":")+1:]
	for host, want := range map[string]int{
		"127.0.0.1:" + port:             200,
		"localhost:" + port:             200,
		"rebound.attacker.test:" + port: http.StatusMisdirectedRequest,
	} {
		if code, body := d.do("GET", "/", "Host", host); code != want {
			t.Errorf("Host %s: %d %s; want %d", host, code, body, want)
		}
	}
	if _, err := strconv.Atoi(port); err != nil {
		t.Fatal(err)
	}
}

// TestADashboardAddressThatIsTakenStopsTheServerOnlyWhenAskedFor: a second
// `go run .` finds the default dashboard address taken and goes on without
// the dashboard, saying so; a server whose DEV_DASHBOARD_ADDR asked for a
// taken address refuses to start.
func TestADashboardAddressThatIsTakenStopsTheServerOnlyWhenAskedFor(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, byDefault := range []bool{true, false} {
		t.Run("by default "+strconv.FormatBool(byDefault), func(t *testing.T) {
			cfg := testConfig(t, t.TempDir(), "DEV_DASHBOARD_ADDR", taken.Addr().String())
			cfg.DashboardByDefault = byDefault // as LoadConfig sets it when DEV_DASHBOARD_ADDR is unset
			logs := &logBuffer{t: t}
			srv, cleanup, err := wiring.InitializeServer(cfg, logging.New(logs, cfg.LogLevel, logging.JSON))
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- srv.Run(ctx, ln) }()
			if !byDefault {
				if err := <-done; err == nil || !strings.Contains(err.Error(), "DEV_DASHBOARD_ADDR") {
					t.Fatalf("the server ran with its asked-for dashboard address taken: %v", err)
				}
				cancel()
				return
			}
			client := &http.Client{Timeout: 2 * time.Second} // a server that stopped leaves ln unanswered
			eventually(t, "the server answering", func() bool {
				select {
				case err := <-done:
					t.Fatalf("the server stopped: %v", err)
				default:
				}
				res, err := client.Get("http://" + ln.Addr().String() + "/healthz")
				if err != nil {
					return false
				}
				res.Body.Close()
				return res.StatusCode == http.StatusOK
			})
			if len(logs.matching("development dashboard off", taken.Addr().String())) != 1 {
				t.Error("no log line says the dashboard is off")
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("server stopped with: %v", err)
			}
		})
	}
}
