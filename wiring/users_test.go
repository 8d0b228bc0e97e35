package wiring_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestRegister(t *testing.T) {
	s := startServer(t)
	body := map[string]string{"email": "  Ada@Example.COM ", "password": "password123", "name": " Ada "}

	var u user
	res := s.do(t, request{Method: "POST", Path: "/v1/users", Body: body}).expect(t, 201)
	res.decode(t, &u)
	if u.ID == "" || u.Email != "ada@example.com" || u.Name != "Ada" || u.CreatedAt.IsZero() || u.Address != nil {
		t.Fatalf("unexpected user: %s", res.Body)
	}
	if strings.Contains(string(res.Body), "password") {
		t.Fatalf("response leaks the password: %s", res.Body)
	}

	t.Run("a taken e-mail is a conflict", func(t *testing.T) {
		body := map[string]string{"email": "ada@example.com", "password": "password456", "name": "Other"}
		s.do(t, request{Method: "POST", Path: "/v1/users", Body: body}).expectProblem(t, 409)
	})
}

func TestRegisterRejectsBadInput(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name   string
		body   any
		status int
		fields []string
	}{
		{"every invalid field is named", map[string]string{"email": "not-an-email", "password": "short", "name": ""},
			400, []string{"email", "password", "name"}},
		{"missing fields are required", map[string]string{}, 400, []string{"email", "password", "name"}},
		{"a password over bcrypt's 72 bytes", map[string]string{"email": "a@b.io", "password": strings.Repeat("p", 73), "name": "A"},
			400, []string{"password"}},
		{"a name over 100 characters", map[string]string{"email": "a@b.io", "password": "password123", "name": strings.Repeat("n", 101)},
			400, []string{"name"}},
		{"control characters in a name", map[string]string{"email": "a@b.io", "password": "password123", "name": "A\u0000B"},
			400, []string{"name"}},
		{"a display-name e-mail", map[string]string{"email": "Ada <a@b.io>", "password": "password123", "name": "A"},
			400, []string{"email"}},
		{"an unknown field", `{"email":"a@b.io","password":"password123","name":"A","admin":true}`, 400, []string{"admin"}},
		{"a wrong type", `{"email":"a@b.io","password":12345678,"name":"A"}`, 400, []string{"password"}},
		{"malformed JSON", `{"email":`, 400, nil},
		{"invalid JSON", `{"email" "a"}`, 400, nil},
		{"two JSON objects", `{} {}`, 400, nil},
		{"an empty body", ``, 400, nil},
		{"an array instead of an object", `[]`, 400, nil},
		{"an oversized body", `{"name":"` + strings.Repeat("x", 70<<10) + `"}`, 413, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.do(t, request{Method: "POST", Path: "/v1/users", Body: tc.body})
			res.expectProblem(t, tc.status, tc.fields...)
		})
	}
	t.Run("a body that is not JSON is an unsupported media type", func(t *testing.T) {
		res := s.do(t, request{Method: "POST", Path: "/v1/users", Body: `email=a`,
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		res.expectProblem(t, 415)
	})
}

func TestLogin(t *testing.T) {
	s := startServer(t)
	u, _ := s.signUp(t)

	t.Run("the right password gets a token that works", func(t *testing.T) {
		token := s.login(t, u.Email, "password123")
		s.do(t, request{Method: "GET", Path: "/v1/users/me", Token: token}).expect(t, 200)
	})
	t.Run("wrong password and unknown e-mail get the same answer", func(t *testing.T) {
		wrong := s.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": u.Email, "password": "wrong-password"}})
		unknown := s.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": "nobody@example.com", "password": "wrong-password"}})
		wrong.expectProblem(t, 401)
		unknown.expectProblem(t, 401)
		if string(wrong.Body) != string(unknown.Body) {
			t.Fatalf("answers differ: %s vs %s", wrong.Body, unknown.Body)
		}
	})
	t.Run("missing credentials are a validation error", func(t *testing.T) {
		s.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{}}).expectProblem(t, 400, "email", "password")
	})
}

func TestAuthenticationIsRequired(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	otherSecret := startServer(t, "JWT_SECRET", "another-secret-another-secret-another-00")
	_, foreignToken := otherSecret.signUp(t)

	endpoints := []request{
		{Method: "GET", Path: "/v1/users/me"},
		{Method: "PUT", Path: "/v1/users/me/address", Body: testAddress},
		{Method: "DELETE", Path: "/v1/users/me"},
		{Method: "POST", Path: "/v1/orders", Body: map[string]any{}},
		{Method: "GET", Path: "/v1/orders"},
		{Method: "GET", Path: "/v1/orders/00000000-0000-0000-0000-000000000000"},
		{Method: "POST", Path: "/v1/orders/00000000-0000-0000-0000-000000000000/cancel"},
		{Method: "GET", Path: "/v1/notifications"},
	}
	tokens := map[string]string{
		"no token":                      "",
		"a malformed token":             "not.a.jwt",
		"a token signed by another key": foreignToken,
		"a tampered token":              token[:len(token)-2] + "xx",
	}
	for _, ep := range endpoints {
		for name, tok := range tokens {
			t.Run(ep.Method+" "+ep.Path+" with "+name, func(t *testing.T) {
				r := ep
				r.Token = tok
				res := s.do(t, r)
				res.expectProblem(t, 401)
				if res.Header.Get("WWW-Authenticate") == "" {
					t.Fatal("401 without WWW-Authenticate")
				}
			})
		}
	}
}

func TestProfileAndAddress(t *testing.T) {
	s := startServer(t)
	u, token := s.signUp(t)

	var me user
	s.do(t, request{Method: "GET", Path: "/v1/users/me", Token: token}).expect(t, 200).decode(t, &me)
	if me.ID != u.ID || me.Address != nil {
		t.Fatalf("unexpected profile %+v", me)
	}

	addr := map[string]string{"line1": " 1 Main St ", "line2": "Flat 2", "city": "Berlin", "postal_code": "10115", "country": "de"}
	s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: addr}).expect(t, 200).decode(t, &me)
	if me.Address == nil || me.Address.Line1 != "1 Main St" || me.Address.Country != "DE" || me.Address.Line2 != "Flat 2" {
		t.Fatalf("address not stored normalised: %+v", me.Address)
	}
	s.do(t, request{Method: "GET", Path: "/v1/users/me", Token: token}).expect(t, 200).decode(t, &me)
	if me.Address == nil || me.Address.City != "Berlin" {
		t.Fatalf("GET /v1/users/me lacks the address: %+v", me)
	}

	t.Run("an invalid address names its fields", func(t *testing.T) {
		bad := map[string]string{"line1": "", "city": "Berlin", "postal_code": "10115", "country": "XX"}
		s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: bad}).expectProblem(t, 400, "line1", "country")
	})
}

func TestDeleteAccount(t *testing.T) {
	s := startServer(t)
	u, token := s.signUp(t)

	res := s.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token}).expect(t, http.StatusNoContent)
	if len(res.Body) != 0 {
		t.Fatalf("204 with a body: %s", res.Body)
	}
	s.do(t, request{Method: "GET", Path: "/v1/users/me", Token: token}).expectProblem(t, 401)
	s.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": u.Email, "password": "password123"}}).expectProblem(t, 401)
	s.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token}).expectProblem(t, 401)
}
