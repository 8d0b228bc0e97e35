package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTheDashboardInARealBrowser drives the development dashboard of the
// running binary in a real headless Chromium (Debian's chromium; .ci/run
// installs it): sign in and place an order through the API explorer, see
// its OrderPlaced reach notifications on the live events page, open its
// trace, break notifications' consumer, find the event in the poison
// queue, fix it, replay it from the page and find its effect made once.
// With UPDATE_SCREENSHOTS=1 it rewrites docs/dashboard/*.png.
func TestTheDashboardInARealBrowser(t *testing.T) {
	browser := findChromium(t)
	p := &process{bin: buildBinary(t), dataDir: t.TempDir(), port: freePort(t), t: t}
	dash := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	p.env = []string{"DEV_DASHBOARD_ADDR=" + strings.TrimPrefix(dash, "http://"), "CONSUMER_MAX_RETRIES=1", "LOG_LEVEL=error"}
	p.start()
	defer p.stop()

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ctx, cancel = chromedp.NewExecAllocator(ctx, chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1400, 1000))
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	b := &page{t: t, ctx: ctx}

	// The events page first: its stream then runs while the explorer works.
	b.run(chromedp.Navigate(dash+"/#events"), chromedp.WaitVisible(chromedp.CSS("#events")))
	interactive := `String(performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd.toFixed(1))`
	first := b.eval(interactive)
	b.run(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#events")))
	t.Logf("page interactive (DOMContentLoaded, its scripts run) %s ms after navigation began; reloaded, %s ms", first, b.eval(interactive))
	b.waitFor(`document.getElementById("event-status").textContent === "live"`)
	b.run(chromedp.Navigate(dash+"/#api"), chromedp.WaitVisible(chromedp.CSS(`details[data-op="POST /v1/orders"]`)), chromedp.Click(chromedp.CSS("#signin")))
	b.waitFor(`document.getElementById("signed-in").textContent.startsWith("signed in as")`)
	order := b.placeOrder()
	b.screenshot("api")

	// Its OrderPlaced reaches notifications, live, within 2 s of its commit.
	b.run(chromedp.Navigate(dash + "/#events"))
	row := `document.querySelector('#events tr[data-topic="orders.OrderPlaced.v1"] [data-module="notifications"]')`
	b.waitFor(row + `?.textContent.includes("applied")`)
	eventID := b.eval(`document.querySelector('#events tr[data-topic="orders.OrderPlaced.v1"]').dataset.id`)
	b.run(chromedp.Click(chromedp.CSS(`#events tr[data-topic="orders.OrderPlaced.v1"]`)))
	b.waitFor(`document.getElementById("event-payload")?.textContent.includes(` + jsString(order) + `)`)
	if ms := b.eval(`String(JSON.parse(document.getElementById("event-payload").textContent).order_id && ` +
		`[...document.querySelectorAll("#event-consumers li")].find(l => l.textContent.startsWith("notifications: applied")).textContent)`); !strings.Contains(ms, "from commit") {
		t.Fatalf("notifications' outcome reads %q", ms)
	}
	b.checkLatency(eventID)
	b.checkEscaped()
	b.screenshot("events")

	// Its trace: the HTTP request, the relay and notifications' consumer.
	b.run(chromedp.Click(chromedp.CSS(`#event-detail a.trace-link`)))
	for _, name := range []string{"POST /v1/orders", "send orders.OrderPlaced.v1", "relay orders.OrderPlaced.v1", "process orders.OrderPlaced.v1"} {
		b.waitFor(`[...document.querySelectorAll("#waterfall .span-row")].some(r => r.dataset.name === ` + jsString(name) + `)`)
	}
	b.screenshot("traces")

	// Break notifications' consumer: the next order's event is poisoned.
	renameTable(t, p.dataDir, "recipients", "recipients_broken")
	b.run(chromedp.Navigate(dash + "/#api"))
	broken := b.placeOrder()
	b.run(chromedp.Navigate(dash + "/#queues"))
	poisoned := `#poisoned tr[data-module="notifications"]`
	b.waitFor(`document.querySelector(` + jsString(poisoned) + `)?.textContent.includes("recipients")`)
	poisonedID := b.eval(`document.querySelector(` + jsString(poisoned) + `).dataset.id`)
	b.screenshot("queues")

	// Fix it, replay from the page, and find the effect made once.
	renameTable(t, p.dataDir, "recipients_broken", "recipients")
	b.run(chromedp.Click(chromedp.CSS(poisoned+` button.replay`)), chromedp.WaitVisible(chromedp.CSS("#confirm-yes")), chromedp.Click(chromedp.CSS("#confirm-yes")))
	b.waitFor(`document.getElementById("repair-outcome")?.textContent.endsWith(": done")`)
	b.waitFor(`!document.querySelector(` + jsString(poisoned) + `)`)
	token := b.eval(`sessionStorage.getItem("devdash-token")`)
	if n := notificationsOf(t, p, token, poisonedID); n != 1 {
		t.Errorf("order %s's event %s made %d notifications after its replay; want 1", broken, poisonedID, n)
	}

	b.run(chromedp.Navigate(dash + "/#architecture"))
	b.waitFor(`document.querySelector('[data-edge="orders->notifications"] .edge-figures')?.textContent.includes("applied")`)
	b.screenshot("architecture")
}

// findChromium finds the browser, or skips (REQUIRE_BROWSER=1: fails).
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium installed, and REQUIRE_BROWSER=1: apt-get install -y chromium")
	}
	t.Skip("no chromium installed (apt-get install -y chromium); REQUIRE_BROWSER=1 makes this a failure")
	return ""
}

// page drives one browser tab, failing the test on any error.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (b *page) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// waitFor waits, generously (a slow shared machine), until the JavaScript
// expression is true.
func (b *page) waitFor(expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// eval evaluates a JavaScript expression whose value (or promise's) is a string.
func (b *page) eval(expr string) string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return out
}

// placeOrder places an order through the explorer's form and returns its id.
func (b *page) placeOrder() string {
	b.t.Helper()
	op := `details[data-op="POST /v1/orders"]`
	body := `{"items":[{"sku":"<script>x</script><img src=x onerror=pwned=1>","quantity":2,"unit_price_cents":1250}],` +
		`"currency":"EUR","shipping_address":{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}}`
	b.run(chromedp.WaitVisible(chromedp.CSS(op)))
	b.eval(`document.querySelector(` + jsString(op) + `).open = true; document.querySelector(` + jsString(op+" .answer") + `).replaceChildren(); "opened"`)
	b.run(chromedp.SetValue(chromedp.CSS(op+` textarea`), body), chromedp.Click(chromedp.CSS(op+` button.send`)))
	b.waitFor(`document.querySelector(` + jsString(op+" .answer-status") + `)?.textContent.startsWith("HTTP 201")`)
	return b.eval(`JSON.parse(document.querySelector(` + jsString(op+" .answer-body") + `).textContent).id`)
}

// checkLatency holds the event's way from commit to notifications' effect,
// as the page reports it, to the 2 s the dashboard promises to show it in.
func (b *page) checkLatency(eventID string) {
	b.t.Helper()
	var ev struct {
		Consumers []struct {
			Module  string  `json:"module"`
			Latency float64 `json:"latency_ms"`
		} `json:"consumers"`
	}
	raw := b.eval(`fetch("/api/events").then(r => r.json()).then(list => JSON.stringify(list.find(e => e.id === ` + jsString(eventID) + `)))`)
	if err := json.Unmarshal([]byte(raw), &ev); err != nil || len(ev.Consumers) == 0 {
		b.t.Fatalf("event %s: %v %s", eventID, err, raw)
	}
	if l := ev.Consumers[0].Latency; ev.Consumers[0].Module != "notifications" || l <= 0 || l > 2000 {
		b.t.Errorf("notifications applied the event %.1f ms after its commit; want within 2 s", l)
	}
}

// checkEscaped finds the payload's markup shown as text: no element made
// of it, no handler of it run.
func (b *page) checkEscaped() {
	b.t.Helper()
	if got := b.eval(`String(document.querySelector("#event-payload img, #event-payload script") === null && typeof window.pwned === "undefined" && ` +
		`document.getElementById("event-payload").textContent.includes("<script>x</script><img src=x onerror=pwned=1>"))`); got != "true" {
		b.t.Errorf("the payload's <script> and <img> were not shown as text")
	}
}

// screenshot keeps the page as docs/dashboard/<name>.png when
// UPDATE_SCREENSHOTS=1, and takes it anyway, to prove the page renders.
func (b *page) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if os.Getenv("UPDATE_SCREENSHOTS") != "1" {
		return
	}
	if err := os.WriteFile(filepath.Join("docs", "dashboard", name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func jsString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// renameTable renames a table of notifications' database under the
// running server: its consumer breaks, or works again.
func renameTable(t *testing.T, dataDir, from, to string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dataDir, "notifications.db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to); err != nil {
		t.Fatal(err)
	}
}

// notificationsOf counts the signed-in user's notifications made by event id.
func notificationsOf(t *testing.T, p *process, token, eventID string) int {
	t.Helper()
	var list struct {
		Items []struct {
			EventID string `json:"event_id"`
		} `json:"items"`
	}
	if code, err := p.call(http.DefaultClient, "GET", "/v1/notifications?limit=100", token, nil, &list); code != 200 {
		t.Fatalf("notifications: %d %v", code, err)
	}
	n := 0
	for _, it := range list.Items {
		if it.EventID == eventID {
			n++
		}
	}
	return n
}
