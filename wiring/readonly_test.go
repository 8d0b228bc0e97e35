package wiring_test

import (
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/sqldb/sqldbtest"
)

// A module database that stops taking writes while the server runs
// degrades that module alone, visibly, and loses nothing: /readyz answers
// 503 naming it, its writes answer 503 with Retry-After, the other modules
// keep serving and passing events, and once the fault is gone every event
// arrives exactly once. On SQLite its files are made immutable (even root
// cannot write them, as on a read-only mount); on PostgreSQL its
// connections go through a TCP proxy that is cut.
func TestAModuleDatabaseThatStopsTakingWritesDegradesOnlyThatModule(t *testing.T) {
	t.Run("sqlite file made immutable", func(t *testing.T) {
		if os.Getenv("TEST_STORAGE") == "postgres" {
			t.Skip("the modules are on PostgreSQL in this run")
		}
		s := startServer(t, "CONSUMER_MAX_RETRIES", "1")
		dir := s.Config.DataDir
		fault := immutable(t, filepath.Join(dir, "orders.db"), filepath.Join(dir, "orders.db-wal"))
		degradeOrders(t, s, fault.set, "database takes no writes", dir, "orders.db")
	})
	t.Run("postgres connection cut", func(t *testing.T) {
		db, err := url.Parse(sqldbtest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		pg := newProxy(t, db.Host)
		_, proxyPort, _ := net.SplitHostPort(pg.addr)
		secrets := []string{db.Hostname(), db.Port(), proxyPort, db.User.Username(), strings.TrimPrefix(db.Path, "/")}
		db.Host = pg.addr
		s := startServer(t, "CONSUMER_MAX_RETRIES", "1", "ORDERS_DATABASE_URL", db.String())
		degradeOrders(t, s, func(cut bool) {
			if cut {
				pg.down()
			} else {
				pg.up()
			}
		}, "database does not answer", secrets...)
	})
}

// degradeOrders turns fault on and off around what the test above asks of
// a server whose orders database fails with reason; the failing /readyz
// tells none of secrets (the database's host, port, user and name).
func degradeOrders(t *testing.T, s *testServer, fault func(on bool), reason string, secrets ...string) {
	t.Helper()
	u, token := s.signUp(t)
	s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: testAddress}).expect(t, 200)
	s.placeOrder(t, token, orderBody("BEFORE-1"), nil)
	eventually(t, "the order placed before the fault to notify", func() bool { return len(s.notifications(t, token)) == 3 })

	fault(true)
	var ready response
	within(t, 5*time.Second, "/readyz to answer 503", func() bool {
		ready = s.do(t, request{Method: "GET", Path: "/readyz"})
		return ready.Status == 503
	})
	var body struct {
		Checks map[string]string `json:"checks"`
	}
	ready.decode(t, &body)
	if body.Checks["orders"] != reason || body.Checks["users"] != "ok" || body.Checks["notifications"] != "ok" {
		t.Errorf("readiness %s", ready.Body)
	}
	if strings.Contains(string(ready.Body), "orders.db") || strings.Contains(string(ready.Body), "not permitted") ||
		strings.Contains(string(ready.Body), "postgres") || strings.Contains(string(ready.Body), "127.0.0.1") {
		t.Errorf("/readyz tells the server's error text: %s", ready.Body)
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(string(ready.Body), secret) {
			t.Errorf("/readyz tells %q: %s", secret, ready.Body)
		}
	}
	res := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("DURING-1")})
	if res.Status != 503 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("an order while orders cannot write: %d %s, want 503 with Retry-After", res.Status, res.Body)
	}
	// The rest keeps serving and passing events, orders' among them.
	_, other := s.signUp(t)
	eventually(t, "a welcome for a user who signs up during the fault", func() bool { return len(s.notifications(t, other)) == 1 })
	moved := map[string]string{"line1": "2 Other St", "city": "Paris", "postal_code": "75001", "country": "FR"}
	s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: moved}).expect(t, 200)
	eventually(t, "notifications to apply the address change", func() bool { return len(s.notifications(t, token)) == 4 })

	fault(false)
	within(t, 5*time.Second, "/readyz to answer 200 again", func() bool {
		return s.do(t, request{Method: "GET", Path: "/readyz"}).Status == 200
	})
	eventually(t, "orders to replicate the address changed during the fault", func() bool {
		return strings.Contains(replicatedAddress(t, openModuleDB(t, s.Config, "orders"), u.ID), "2 Other St")
	})
	s.placeOrder(t, token, orderBody("AFTER-1"), nil)
	eventually(t, "the order placed after the fault to notify", func() bool { return len(s.notifications(t, token)) == 5 })
	time.Sleep(500 * time.Millisecond) // time for a duplicate to show, were there one
	got := map[string]int{}
	for _, n := range s.notifications(t, token) {
		got[n.Kind]++
	}
	want := map[string]int{"welcome": 1, "address_changed": 2, "order_placed": 2}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%d %s notifications, want %d: %v", got[k], k, n, got)
		}
	}
}

// immutableFiles turns the immutable attribute of some files on and off
// (chattr; root, and a file system that has it, such as ext4).
type immutableFiles struct {
	t     *testing.T
	paths []string
}

func immutable(t *testing.T, paths ...string) immutableFiles {
	f := immutableFiles{t, paths}
	if out, err := exec.Command("chattr", append([]string{"-i"}, paths...)...).CombinedOutput(); err != nil {
		if os.Getenv("REQUIRE_SERVICES") == "1" {
			t.Fatalf("chattr: %v %s", err, out)
		}
		t.Skipf("cannot make files immutable here: %v %s", err, out)
	}
	t.Cleanup(func() { f.set(false) })
	return f
}

func (f immutableFiles) set(on bool) {
	f.t.Helper()
	flag := "-i"
	if on {
		flag = "+i"
	}
	if out, err := exec.Command("chattr", append([]string{flag}, f.paths...)...).CombinedOutput(); err != nil {
		f.t.Fatalf("chattr %s: %v %s", flag, err, out)
	}
}
