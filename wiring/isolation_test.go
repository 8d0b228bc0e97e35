package wiring_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/wiring"
)

// A consumer whose every attempt fails (its table renamed) holds back no
// other consumer of the same topic: orders keeps its address replica as
// fast as before while notifications fails every UserAddressUpdated; once
// fixed, a replay applies each of notifications' events exactly once.
func TestABrokenConsumerDelaysNoOtherConsumerOfTheSameTopic(t *testing.T) {
	const updates = 100
	s := startServer(t, "CONSUMER_MAX_RETRIES", "1")
	u, token := s.signUp(t)
	orders, notifications := openModuleDB(t, s.Config, "orders"), openModuleDB(t, s.Config, "notifications")

	healthy := replicaLatencies(t, s, orders, u.ID, token, "healthy", updates)
	execSQL(t, notifications.Write, `ALTER TABLE notifications RENAME TO notifications_broken`)
	broken := replicaLatencies(t, s, orders, u.ID, token, "broken", updates)
	t.Logf("orders' replica p50/p99: %s/%s with nothing broken, %s/%s with notifications failing",
		quantile(healthy, 0.5), quantile(healthy, 0.99), quantile(broken, 0.5), quantile(broken, 0.99))
	// Head-of-line blocking took ~6 s an event here; the slack is for a
	// shared 2-core machine, where one stall decides a p99 of 100.
	limit := max(2*quantile(healthy, 0.99), quantile(healthy, 0.99)+50*time.Millisecond)
	if p99 := quantile(broken, 0.99); p99 > limit || p99 > time.Second {
		t.Errorf("p99 %s with a broken consumer, want under %s and 1s", p99, limit)
	}

	within(t, 60*time.Second, "notifications to poison every address change", func() bool {
		return poisonedCount(t, notifications) == updates
	})
	execSQL(t, notifications.Write, `ALTER TABLE notifications_broken RENAME TO notifications`)
	replay(t, s.Config, "notifications", "--all")
	replay(t, s.Config, "notifications", "--all") // a second replay finds nothing to apply
	kinds := notificationKinds(t, notifications, u.ID)
	if got := kinds["address_changed"]; got != 2*updates {
		t.Fatalf("%d address_changed notifications, want %d: each event exactly once", got, 2*updates)
	}
	if n := poisonedCount(t, notifications); n != 0 {
		t.Errorf("%d events still poisoned after the replay", n)
	}
	_ = token
}

// replicaLatencies changes the user's address n times, one after the
// other, and returns how long each took from the answer to the change to
// orders' replica holding it.
func replicaLatencies(t *testing.T, s *testServer, orders *sqldb.DB, userID, token, tag string, n int) []time.Duration {
	t.Helper()
	out := make([]time.Duration, 0, n)
	for i := range n {
		line1 := fmt.Sprintf("%d %s St", i+1, tag)
		body := map[string]string{"line1": line1, "city": "Berlin", "postal_code": "10115", "country": "DE"}
		s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: body}).expect(t, 200)
		start := time.Now()
		for !strings.Contains(replicatedAddress(t, orders, userID), line1) {
			if time.Since(start) > 30*time.Second {
				t.Fatalf("orders never replicated %q", line1)
			}
			time.Sleep(time.Millisecond)
		}
		out = append(out, time.Since(start))
	}
	return out
}

func replicatedAddress(t *testing.T, orders *sqldb.DB, userID string) string {
	t.Helper()
	var raw []byte
	err := orders.Read.QueryRow(`SELECT address FROM user_addresses WHERE user_id = $1`, userID).Scan(&raw)
	if err != nil && !strings.Contains(err.Error(), "no rows") {
		t.Fatal(err)
	}
	return string(raw)
}

// quantile is the q-quantile of ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, max(0, int(float64(len(s))*q+0.5)-1))
	return s[i].Round(10 * time.Microsecond)
}

func poisonedCount(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRow(`SELECT count(DISTINCT uuid) FROM pubsub_messages WHERE topic = 'poison'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func notificationKinds(t *testing.T, db *sqldb.DB, userID string) map[string]int {
	t.Helper()
	rows, err := db.Read.Query(`SELECT kind, count(*) FROM notifications WHERE user_id = $1 GROUP BY kind`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			t.Fatal(err)
		}
		out[kind] = n
	}
	return out
}

// replay runs "modmono events replay module args…" on s's databases.
func replay(t *testing.T, cfg wiring.Config, module string, args ...string) {
	t.Helper()
	var out bytes.Buffer
	logger := logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON)
	if err := wiring.RunEvents(context.Background(), cfg, logger, append([]string{"replay", module}, args...), &out); err != nil {
		t.Fatalf("events replay: %v\n%s", err, out.String())
	}
}
