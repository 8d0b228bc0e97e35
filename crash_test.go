package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/wiring"
)

// TestCrashSafety builds the binary, puts it under order load, kills it with
// SIGKILL at random moments, restarts it on the same data, and then checks
// that every order the clients saw committed has exactly one order_placed
// notification and that no notification names an order that does not exist.
func TestCrashSafety(t *testing.T) {
	bin := buildBinary(t)
	p := &process{bin: bin, dataDir: t.TempDir(), port: freePort(t), t: t, env: []string{"RELAY_POLL_INTERVAL=100ms"}}
	p.start()
	defer p.stop()

	const users, clientsPerUser = 4, 2
	tokens := make([]string, users)
	for i := range tokens {
		tokens[i] = p.signUp(fmt.Sprintf("crash%d@example.com", i))
	}

	var mu sync.Mutex
	seen := map[string]bool{} // order ids whose 201 a client received
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < users*clientsPerUser; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 2 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if id, ok := p.placeOrder(client, tokens[c%users]); ok {
					mu.Lock()
					seen[id] = true
					mu.Unlock()
				} else {
					time.Sleep(5 * time.Millisecond) // the server is down or restarting
				}
			}
		}()
	}

	for kill := 0; kill < 3; kill++ {
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		p.kill()
		p.start()
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	if len(seen) < 50 {
		t.Fatalf("only %d orders committed under load: the test proves little", len(seen))
	}
	total := 0
	for _, token := range tokens {
		total += checkOrdersNotifiedOnce(t, p, token, seen, 60*time.Second)
	}
	mu.Lock()
	defer mu.Unlock()
	for id := range seen {
		found := false
		for _, token := range tokens {
			if p.orderExists(token, id) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("order %s was acknowledged to a client but is not stored", id)
		}
	}
	t.Logf("%d orders acknowledged to clients, %d committed, 3 SIGKILLs", len(seen), total)
}

// checkOrdersNotifiedOnce waits up to wait for the order_placed
// notifications of the orders token's user has, then checks that each
// committed order has exactly one, that none names another order, and that
// every order in acked (acknowledged to a client) is among them. It returns
// how many orders are committed.
func checkOrdersNotifiedOnce(t *testing.T, p *process, token string, acked map[string]bool, wait time.Duration) int {
	t.Helper()
	committed := p.orderIDs(token)
	var placed map[string]int
	for deadline := time.Now().Add(wait); ; time.Sleep(100 * time.Millisecond) {
		placed = p.orderPlacedNotifications(token)
		if len(placed) >= len(committed) || time.Now().After(deadline) {
			break
		}
	}
	for id := range committed {
		if placed[id] != 1 {
			t.Errorf("committed order %s has %d order_placed notifications, want 1", id, placed[id])
		}
	}
	for id := range placed {
		if !committed[id] {
			t.Errorf("notification for order %s, which was never committed", id)
		}
	}
	for id := range acked {
		if committed[id] && placed[id] == 0 {
			t.Errorf("order %s was acknowledged to a client but never notified", id)
		}
	}
	return len(committed)
}

// buildBinary builds the binary under test.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "modmono")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type process struct {
	t       testing.TB
	bin     string
	dataDir string
	port    int
	env     []string // on top of the defaults below
	cmd     *exec.Cmd
	log     lockedBuffer // the process writes it while a failing test reads it
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (p *process) url(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", p.port, path) }

func (p *process) start() {
	p.t.Helper()
	p.startNoWait()
	if !waitReady(p.url("/readyz"), 20*time.Second) {
		p.t.Fatalf("server did not become ready; log:\n%s", p.log.String())
	}
}

// waitReady polls readyz until it answers 200, and reports whether it did
// within timeout.
func waitReady(readyz string, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(readyz); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return true
			}
		}
	}
	return false
}

// startNoWait starts the binary and returns at once.
func (p *process) startNoWait() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin)
	p.cmd.Env = append(os.Environ(), "DATA_DIR="+p.dataDir, fmt.Sprint("PORT=", p.port), "BCRYPT_COST=4", "AUTH_RATE_LIMIT=0",
		"LOG_LEVEL=warn", "JWT_SECRET=crash-test-secret-crash-test-secret-0001",
		"EVENT_SIGNING_KEYS="+messagingtest.KeysFor(wiring.Modules...))
	p.cmd.Env = append(p.cmd.Env, p.env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
}

func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		p.t.Errorf("server exited with %v on SIGTERM; log:\n%s", err, p.log.String())
	}
}

func (p *process) call(client *http.Client, method, path, token string, body any, out any) (int, error) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return 0, err
		}
	}
	req, err := http.NewRequest(method, p.url(path), &buf)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		err = json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode, err
}

func (p *process) signUp(email string) string {
	p.t.Helper()
	creds := map[string]string{"email": email, "password": "password123", "name": "Crash"}
	if code, err := p.call(http.DefaultClient, "POST", "/v1/users", "", creds, nil); code != 201 {
		p.t.Fatalf("register: %d %v", code, err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	login := map[string]string{"email": email, "password": creds["password"]}
	if code, err := p.call(http.DefaultClient, "POST", "/v1/auth/token", "", login, &tok); code != 200 {
		p.t.Fatalf("login: %d %v", code, err)
	}
	return tok.AccessToken
}

var orderBody = map[string]any{
	"items":            []map[string]any{{"sku": "CRASH", "quantity": 1, "unit_price_cents": 100}},
	"currency":         "EUR",
	"shipping_address": map[string]string{"line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"},
}

func (p *process) placeOrder(client *http.Client, token string) (string, bool) {
	var o struct {
		ID string `json:"id"`
	}
	code, err := p.call(client, "POST", "/v1/orders", token, orderBody, &o)
	return o.ID, err == nil && code == 201 && o.ID != ""
}

func (p *process) orderExists(token, id string) bool {
	code, _ := p.call(http.DefaultClient, "GET", "/v1/orders/"+id, token, nil, nil)
	return code == 200
}

// pages walks a paginated list endpoint, calling each for every item.
func (p *process) pages(path, token string, each func(raw json.RawMessage)) {
	p.t.Helper()
	cursor := ""
	for {
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		url := path + "?limit=100"
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		if code, err := p.call(http.DefaultClient, "GET", url, token, nil, &page); code != 200 {
			p.t.Fatalf("GET %s: %d %v", url, code, err)
		}
		for _, it := range page.Items {
			each(it)
		}
		if cursor = page.NextCursor; cursor == "" {
			return
		}
	}
}

func (p *process) orderIDs(token string) map[string]bool {
	ids := map[string]bool{}
	p.pages("/v1/orders", token, func(raw json.RawMessage) {
		var o struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &o)
		ids[o.ID] = true
	})
	return ids
}

var orderIDInBody = regexp.MustCompile(`order ([0-9a-f-]{36})`)

// orderPlacedNotifications counts order_placed notifications per order id.
func (p *process) orderPlacedNotifications(token string) map[string]int {
	counts := map[string]int{}
	p.pages("/v1/notifications", token, func(raw json.RawMessage) {
		var n struct {
			Kind string `json:"kind"`
			Body string `json:"body"`
		}
		_ = json.Unmarshal(raw, &n)
		if m := orderIDInBody.FindStringSubmatch(n.Body); n.Kind == "order_placed" && m != nil {
			counts[m[1]]++
		}
	})
	return counts
}
