package wiring_test

import (
	"strings"
	"testing"
)

func TestRouterAnswersWithProblems(t *testing.T) {
	s := startServer(t)
	s.do(t, request{Method: "GET", Path: "/v1/nothing-here"}).expectProblem(t, 404)
	s.do(t, request{Method: "PATCH", Path: "/v1/users"}).expectProblem(t, 405)
}

func TestRequestID(t *testing.T) {
	s := startServer(t)
	t.Run("a well-formed id from the caller is kept", func(t *testing.T) {
		res := s.do(t, request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": "abc-123_x.y:z"}})
		if got := res.Header.Get("X-Request-ID"); got != "abc-123_x.y:z" {
			t.Fatalf("X-Request-ID %q", got)
		}
	})
	for name, bad := range map[string]string{"too long": strings.Repeat("a", 129), "with spaces": "a b", "with quotes": `a"b`} {
		t.Run("an id "+name+" is replaced", func(t *testing.T) {
			res := s.do(t, request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-ID": bad}})
			if got := res.Header.Get("X-Request-ID"); got == bad || len(got) != 36 {
				t.Fatalf("X-Request-ID %q", got)
			}
		})
	}
	t.Run("errors carry one too", func(t *testing.T) {
		res := s.do(t, request{Method: "GET", Path: "/nope"})
		if res.Header.Get("X-Request-ID") == "" {
			t.Fatal("no X-Request-ID on a 404")
		}
	})
}

func TestHealth(t *testing.T) {
	s := startServer(t)
	s.do(t, request{Method: "GET", Path: "/healthz"}).expect(t, 200)
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	s.do(t, request{Method: "GET", Path: "/readyz"}).expect(t, 200).decode(t, &ready)
	for _, m := range []string{"users", "orders", "notifications"} {
		if ready.Checks[m] != "ok" {
			t.Fatalf("readiness of %s: %q", m, ready.Checks[m])
		}
	}
}

func TestAnswersToAuthenticatedRequestsAreNeverCached(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	for _, r := range []request{
		{Method: "GET", Path: "/v1/users/me", Token: token},
		{Method: "GET", Path: "/v1/orders", Token: token},
		{Method: "GET", Path: "/v1/orders/0190a0b2-7c3e-7000-8000-000000000000", Token: token},
		{Method: "GET", Path: "/v1/notifications", Token: "not-a-token"},
	} {
		if got := s.do(t, r).Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", r.Method, r.Path, got)
		}
	}
}
