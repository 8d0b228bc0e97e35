package wiring_test

import (
	"strings"
	"testing"
)

// The tests of this file hold the server to its OpenAPI document where
// the two used to differ (issue 18): what the document forbids is
// refused, and the router answers for paths and methods before anyone is
// asked for a token.

func TestAWrongMethodOnAKnownPathIsA405WithAllowBeforeAuthentication(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	id := "0190a0b2-7c3e-7000-8000-000000000000"
	tests := []struct {
		method, path string
		allow        []string
	}{
		{"PATCH", "/v1/users/me", []string{"GET", "DELETE"}},
		{"POST", "/v1/users/me/address", []string{"PUT"}},
		{"DELETE", "/v1/orders", []string{"GET", "POST"}},
		{"PUT", "/v1/orders/" + id, []string{"GET"}},
		{"GET", "/v1/orders/" + id + "/cancel", []string{"POST"}},
		{"DELETE", "/v1/notifications", []string{"GET"}},
		{"GET", "/v1/users", []string{"POST"}},
	}
	for _, tc := range tests {
		for who, tok := range map[string]string{"without a token": "", "with a token": token, "with a bad token": "not.a.jwt"} {
			t.Run(tc.method+" "+tc.path+" "+who, func(t *testing.T) {
				res := s.do(t, request{Method: tc.method, Path: tc.path, Token: tok})
				res.expectProblem(t, 405)
				allow := strings.Split(res.Header.Get("Allow"), ", ")
				for _, m := range tc.allow {
					if !contains(allow, m) {
						t.Errorf("Allow %q does not list %s", res.Header.Get("Allow"), m)
					}
				}
				if contains(allow, tc.method) {
					t.Errorf("Allow %q lists the refused %s", res.Header.Get("Allow"), tc.method)
				}
				if res.Header.Get("WWW-Authenticate") != "" {
					t.Error("a 405 asks for authentication")
				}
			})
		}
	}
}

func TestAnUnknownPathIsA404BeforeAuthentication(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	for _, path := range []string{
		"/v1/orders/x/y", "/v1/orders/0190a0b2-7c3e-7000-8000-000000000000/refund",
		"/v1/users/me/nothing", "/v1/notifications/x", "/v1/nothing",
	} {
		for who, tok := range map[string]string{"without a token": "", "with a token": token} {
			t.Run(path+" "+who, func(t *testing.T) {
				res := s.do(t, request{Method: "GET", Path: path, Token: tok})
				res.expectProblem(t, 404)
				if res.Header.Get("WWW-Authenticate") != "" {
					t.Error("a 404 asks for authentication")
				}
			})
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
