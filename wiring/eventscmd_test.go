package wiring_test

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"

	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

// events runs "modmono events args…" on the data directory and returns
// what it printed and its error.
func (fs *lambdaFunctions) events(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cfg := testConfig(t, fs.dataDir)
	var out bytes.Buffer
	err := wiring.RunEvents(context.Background(), cfg, logging.New(&logBuffer{t: t}, cfg.LogLevel, logging.JSON), args, &out)
	return out.String(), err
}

func (fs *lambdaFunctions) welcomes(t *testing.T, userID string) int {
	t.Helper()
	var n int
	db := openModuleDB(t, wiring.Config{DataDir: fs.dataDir}, "notifications")
	if err := db.Read.QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'welcome'`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPoisonedEventsAreListedShownReplayedAndDropped(t *testing.T) {
	fs := startFunctions(t)
	notifications := openModuleDB(t, wiring.Config{DataDir: fs.dataDir}, "notifications")
	userID := "0b9c4a34-6f51-4a3c-9d7e-2a8c1f1b5e02"
	registered := busMessage(t, "ev-ok", "users.UserRegistered.v1",
		map[string]any{"user_id": userID, "email": "poison@example.com", "name": "P", "registered_at": "2026-11-21T10:00:00Z"})
	malformed := busMessage(t, "ev-bad", "users.UserRegistered.v1", map[string]any{"name": "no ids"})

	// A broken table makes a good event fail on its last delivery, so the
	// queue gives it up; a malformed one is given up at once.
	execSQL(t, notifications.Write, `ALTER TABLE recipients RENAME TO recipients_broken`)
	if failed := fs.sqsBatch(t, "notifications", sqsRecord(t, "m-1", registered, "6"), sqsRecord(t, "m-2", malformed, "1")); len(failed) != 0 {
		t.Fatalf("poisoned records were reported failed: %v", failed)
	}

	out, err := fs.events(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"users: 0 poisoned", "orders: 0 poisoned", "notifications: 2 poisoned",
		"ev-ok", "6 attempts", "no such table", "ev-bad", "malformed event"} {
		if !strings.Contains(out, want) {
			t.Errorf("list does not show %q:\n%s", want, out)
		}
	}
	out, err = fs.events(t, "show", "notifications", "ev-ok")
	if err != nil || !strings.Contains(out, `"email": "poison@example.com"`) || !strings.Contains(out, "correlation_id: corr-ev-ok") {
		t.Errorf("show: %v\n%s", err, out)
	}

	t.Run("a replay that fails again leaves the event where it is", func(t *testing.T) {
		if _, err := fs.events(t, "replay", "notifications", "ev-ok"); err == nil {
			t.Fatal("the replay succeeded on a broken table")
		}
		if out, _ := fs.events(t, "list", "notifications"); !strings.Contains(out, "ev-ok") {
			t.Fatalf("the event left the queue:\n%s", out)
		}
	})
	execSQL(t, notifications.Write, `ALTER TABLE recipients_broken RENAME TO recipients`)

	t.Run("once fixed, replay applies it once and takes it off the queue", func(t *testing.T) {
		out, err := fs.events(t, "replay", "notifications", "--all")
		if err == nil || !strings.Contains(out, "replay ev-ok: done") || !strings.Contains(out, "still failing") {
			t.Fatalf("replay --all: %v\n%s", err, out) // ev-bad cannot succeed: the command says so
		}
		if n := fs.welcomes(t, userID); n != 1 {
			t.Fatalf("%d welcome notifications, want 1", n)
		}
		// The queue redelivers the event it gave up on: the inbox absorbs it.
		fs.sqsBatch(t, "notifications", sqsRecord(t, "m-3", registered, "1"))
		if n := fs.welcomes(t, userID); n != 1 {
			t.Fatalf("%d welcome notifications after a redelivery, want 1", n)
		}
	})
	t.Run("drop removes what cannot be fixed", func(t *testing.T) {
		if out, err := fs.events(t, "drop", "notifications", "ev-bad"); err != nil {
			t.Fatalf("drop: %v\n%s", err, out)
		}
		if out, _ := fs.events(t, "list", "notifications"); !strings.Contains(out, "notifications: 0 poisoned") {
			t.Fatalf("the queue is not empty:\n%s", out)
		}
		if _, err := fs.events(t, "drop", "notifications", "ev-bad"); err == nil || !strings.Contains(err.Error(), "not done") {
			t.Fatalf("dropping a missing event: %v", err)
		}
	})
}

func TestOutboxStatusShowsWhatIsNotRelayedYet(t *testing.T) {
	fs := startFunctions(t)
	fs.signUp(t)
	out, err := fs.events(t, "outbox")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"users  ", "backlog 1", "orders", "backlog 0  oldest -"} {
		if !strings.Contains(out, want) {
			t.Errorf("outbox does not show %q:\n%s", want, out)
		}
	}
}

func TestTheEventsCommandRefusesWrongArguments(t *testing.T) {
	fs := startFunctions(t)
	for _, args := range [][]string{nil, {"purge"}, {"show", "notifications"}, {"replay", "notifications"},
		{"list", "payments"}, {"replay", "users", "--all"}} {
		if _, err := fs.events(t, args...); err == nil {
			t.Errorf("events %q was accepted", args)
		}
	}
}

func execSQL(t testing.TB, db *sql.DB, statement string) {
	t.Helper()
	if _, err := db.Exec(statement); err != nil {
		t.Fatal(err)
	}
}

func (fs *lambdaFunctions) signUp(t *testing.T) {
	t.Helper()
	fs.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": "outbox@example.com", "password": "password123", "name": "O"}}).expect(t, 201)
}
