package wiring_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/modmono/platform/password"
)

// TestAFloodOfLoginsIsShedWhileHealthChecksKeepAnswering sends 200 logins
// at once, each a full bcrypt at cost 12, with no per-client limit: the
// process-wide cap on hashing keeps the CPUs free enough for /healthz, and
// the logins that cannot get a CPU within a second answer 503 with
// Retry-After instead of queueing.
func TestAFloodOfLoginsIsShedWhileHealthChecksKeepAnswering(t *testing.T) {
	s := startServer(t, "BCRYPT_COST", "12")
	client := &http.Client{Timeout: 30 * time.Second}

	stop := make(chan struct{})
	var health []time.Duration
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			start := time.Now()
			res, err := client.Get(s.URL + "/healthz")
			if err == nil {
				res.Body.Close()
			}
			if err != nil || res.StatusCode != 200 {
				t.Errorf("/healthz during the flood: %v %v", res, err)
				return
			}
			health = append(health, time.Since(start))
		}
	}()

	type answer struct {
		status      int
		retryAfter  string
		contentType string
	}
	answers := make([]answer, 200)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := []byte(`{"email":"nobody@example.com","password":"wrong password"}`)
			res, err := client.Post(s.URL+"/v1/auth/token", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			answers[i] = answer{res.StatusCode, res.Header.Get("Retry-After"), res.Header.Get("Content-Type")}
		}()
	}
	wg.Wait()
	close(stop)
	<-probed

	counts := map[int]int{}
	for _, a := range answers {
		counts[a.status]++
		if a.status == 503 && (a.retryAfter == "" || a.contentType != "application/problem+json") {
			t.Errorf("503 with Retry-After %q, Content-Type %q; want a problem with Retry-After", a.retryAfter, a.contentType)
		}
	}
	if counts[401] == 0 || counts[503] == 0 || counts[401]+counts[503] != len(answers) {
		t.Errorf("answers by status %v; want some 401 (checked) and the rest 503 (shed)", counts)
	}
	if len(health) < 5 {
		t.Fatalf("only %d health checks ran during the flood", len(health))
	}
	slices.Sort(health)
	p50, p99 := health[len(health)/2], health[len(health)*99/100]
	t.Logf("answers %v; /healthz during the flood: %d checks, p50 %v, p99 %v, max %v",
		counts, len(health), p50, p99, health[len(health)-1])
	if p99 > 200*time.Millisecond {
		t.Errorf("/healthz p99 %v during the flood, want under 200ms", p99)
	}
}

// TestADuplicateSignUpCostsNoHash counts bcrypt runs through
// password.Runs, the test hook, rather than timing the answer.
func TestADuplicateSignUpCostsNoHash(t *testing.T) {
	s := startServer(t)
	u, _ := s.signUp(t)
	before := password.Runs()
	s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": strings.ToUpper(u.Email), "password": "password123", "name": "Again",
	}}).expectProblem(t, 409)
	if runs := password.Runs() - before; runs != 0 {
		t.Errorf("a duplicate sign-up ran bcrypt %d times, want 0", runs)
	}
	s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": "fresh-" + u.Email, "password": "password123", "name": "Fresh",
	}}).expect(t, 201)
	if runs := password.Runs() - before; runs != 1 {
		t.Errorf("a new sign-up ran bcrypt %d times, want 1 (the hook counts)", runs)
	}
}

// TestABodyWithHundredsOfInvalidFieldsListsTwentyAndCountsTheRest sends 300
// empty order lines (three errors each).
func TestABodyWithHundredsOfInvalidFieldsListsTwentyAndCountsTheRest(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	items := make([]map[string]any, 300)
	for i := range items {
		items[i] = map[string]any{"sku": "", "quantity": 0, "unit_price_cents": -1}
	}
	res := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token,
		Body: map[string]any{"items": items, "currency": "EUR"}})
	p := res.expectProblem(t, 400)
	if len(p.Errors) > 21 {
		t.Errorf("%d field errors listed, want at most 21", len(p.Errors))
	}
	if !strings.Contains(p.Detail, "more") {
		t.Errorf("detail %q does not say how many more there were", p.Detail)
	}
	t.Logf("%d bytes: %d fields listed; %s", len(res.Body), len(p.Errors), p.Detail)
}
