package wiring_test

import (
	"encoding/base64"
	"fmt"
	"testing"

	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// signUpBody is a valid sign-up body with field set to value.
func signUpBody(field, value string) map[string]string {
	b := map[string]string{"email": fmt.Sprintf("hygiene%d@example.com", userSeq.Add(1)), "password": "password123", "name": "Ada"}
	b[field] = value
	return b
}

// Every string field of every body, and the cursor, refuses what could
// hide from a reader, spoof an address or break a database: each answer a
// 400 problem naming the field.
func TestInputHygieneRefusesHiddenAndLookAlikeCharacters(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	orderWith := func(sku, city string) map[string]any {
		return map[string]any{"currency": "EUR", "items": []map[string]any{{"sku": sku, "quantity": 1, "unit_price_cents": 100}},
			"shipping_address": map[string]string{"line1": "1 Main St", "city": city, "postal_code": "10115", "country": "DE"}}
	}
	addressWith := func(field, value string) map[string]string {
		a := map[string]string{}
		for k, v := range testAddress {
			a[k] = v
		}
		a[field] = value
		return a
	}
	tests := []struct {
		name  string
		req   request
		field string
	}{
		{"an e-mail with a zero-width space", request{Method: "POST", Path: "/v1/users", Body: signUpBody("email", "a\u200bda@example.com")}, "email"},
		{"an e-mail with a right-to-left override", request{Method: "POST", Path: "/v1/users", Body: signUpBody("email", "ada\u202e@example.com")}, "email"},
		{"an e-mail with a Cyrillic а among Latin letters", request{Method: "POST", Path: "/v1/users", Body: signUpBody("email", "p\u0430ypal@example.com")}, "email"},
		{"an e-mail domain with a Greek ο among Latin letters", request{Method: "POST", Path: "/v1/users", Body: signUpBody("email", "ada@g\u03bfogle.com")}, "email"},
		{"an e-mail with a control character", request{Method: "POST", Path: "/v1/users", Body: signUpBody("email", "ada\u0007@example.com")}, "email"},
		{"a NUL in the sign-up e-mail", request{Method: "POST", Path: "/v1/users", Body: signUpBody("email", "ada\u0000@example.com")}, "email"},
		{"a NUL in the name", request{Method: "POST", Path: "/v1/users", Body: signUpBody("name", "Ada\u0000")}, "name"},
		{"a NUL in the password", request{Method: "POST", Path: "/v1/users", Body: signUpBody("password", "password\u0000123")}, "password"},
		{"a name with a right-to-left override", request{Method: "POST", Path: "/v1/users", Body: signUpBody("name", "Ada \u202eevil")}, "name"},
		{"a name with a zero-width space", request{Method: "POST", Path: "/v1/users", Body: signUpBody("name", "A\u200bda")}, "name"},
		{"a name with a control character", request{Method: "POST", Path: "/v1/users", Body: signUpBody("name", "Ada\u001b[31m")}, "name"},
		{"a NUL in the login e-mail", request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": "ada\u0000@example.com", "password": "password123"}}, "email"},
		{"a NUL in the login password", request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": "ada@example.com", "password": "pass\u0000word"}}, "password"},
		{"a NUL in an address line", request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: addressWith("line1", "1 Main\u0000St")}, "line1"},
		{"a NUL in an address's postal code", request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: addressWith("postal_code", "10\u0000115")}, "postal_code"},
		{"a right-to-left override in an address line", request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: addressWith("line2", "c/o \u202eevil")}, "line2"},
		{"a NUL in an order's SKU", request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderWith("SKU\u00001", "Berlin")}, "items[0].sku"},
		{"a NUL in an order's shipping city", request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderWith("SKU-1", "Ber\u0000lin")}, "shipping_address.city"},
		{"a NUL in a cursor", request{Method: "GET", Path: "/v1/orders?cursor=djE6%00", Token: token}, "cursor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.do(t, tc.req).expectProblem(t, 400, tc.field)
		})
	}
}

// A cursor is the API's own: a forged, altered or borrowed one is a 400
// naming the cursor, while the real one pages on.
func TestCursorsAreSigned(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	for i := range 3 {
		s.placeOrder(t, token, orderBody(fmt.Sprint("SKU-", i)), nil)
	}
	var first page[order]
	s.do(t, request{Method: "GET", Path: "/v1/orders?limit=1", Token: token}).expect(t, 200).decode(t, &first)
	if first.NextCursor == "" {
		t.Fatal("no next_cursor on a page of 1 of 3 orders")
	}
	s.do(t, request{Method: "GET", Path: "/v1/orders?limit=1&cursor=" + first.NextCursor, Token: token}).expect(t, 200)

	raw, err := base64.RawURLEncoding.DecodeString(first.NextCursor)
	if err != nil {
		t.Fatalf("next_cursor %q is not base64url: %v", first.NextCursor, err)
	}
	altered := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return base64.RawURLEncoding.EncodeToString(b)
	}
	forged := make([]byte, len(raw))
	copy(forged, raw[:len(raw)-16]) // the real version and position, under a tag of zeros
	otherKey := startServer(t, "JWT_SECRET", "another-secret-another-secret-another-00")
	_, otherToken := otherKey.signUp(t)
	for i := range 2 {
		otherKey.placeOrder(t, otherToken, orderBody(fmt.Sprint("SKU-", i)), nil)
	}
	var foreign page[order]
	otherKey.do(t, request{Method: "GET", Path: "/v1/orders?limit=1", Token: otherToken}).expect(t, 200).decode(t, &foreign)

	tests := []struct{ name, path string }{
		{"a forged cursor (a tag of zeros)", "/v1/orders?cursor=" + base64.RawURLEncoding.EncodeToString(forged)},
		{"a cursor with its position altered", "/v1/orders?cursor=" + altered(len(raw)-17)},
		{"a cursor with its tag altered", "/v1/orders?cursor=" + altered(len(raw)-1)},
		{"an unsigned cursor of old", "/v1/orders?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("v1:2"))},
		{"a cursor signed under another secret", "/v1/orders?cursor=" + foreign.NextCursor},
		{"a truncated cursor", "/v1/orders?cursor=" + first.NextCursor[:len(first.NextCursor)-1]},
		{"a cursor of the orders list on the notifications list", "/v1/notifications?cursor=" + first.NextCursor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.do(t, request{Method: "GET", Path: tc.path, Token: token}).expectProblem(t, 400, "cursor")
		})
	}
}

// A NUL in the login e-mail was a 500 on PostgreSQL, whose text cannot
// hold one; on every engine it is a 400 naming the field.
func TestANULInTheLoginEmailIsABadRequestOnEveryEngine(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			env := []string{"DATABASE_URL", ""} // SQLite, even under TEST_STORAGE=postgres
			if engine == sqldb.Postgres {
				env = []string{"DATABASE_URL", sqldbtest.PostgresURL(t)}
			}
			s := startServer(t, env...)
			s.do(t, request{Method: "POST", Path: "/v1/auth/token",
				Body: map[string]string{"email": "ada\u0000@example.com", "password": "password123"}}).expectProblem(t, 400, "email")
		})
	}
}

// International addresses and names are welcome, and an address signs in
// however its letter case or domain encoding is spelt.
func TestInternationalAddressesAndNamesAreCanonicalAndSignIn(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name, email, stored string
		logins              []string
	}{
		{"an upper-case domain is lower-cased", "Grace@Example.ORG", "grace@example.org",
			[]string{"grace@example.org", "GRACE@EXAMPLE.ORG", "Grace@Example.ORG"}},
		{"an IDN domain is accepted in Unicode form", "Ada@Bücher.DE", "ada@bücher.de",
			[]string{"ada@bücher.de", "ADA@BÜCHER.DE", "ada@xn--bcher-kva.de", "ADA@XN--BCHER-KVA.DE"}},
		{"a punycode domain is stored in Unicode form", "ivan@XN--E1AFMKFD.XN--P1AI", "ivan@пример.рф",
			[]string{"ivan@пример.рф", "ivan@xn--e1afmkfd.xn--p1ai"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u user
			s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
				"email": tc.email, "password": "password123", "name": "Ada"}}).expect(t, 201).decode(t, &u)
			if u.Email != tc.stored {
				t.Fatalf("e-mail answered as %q, want %q", u.Email, tc.stored)
			}
			for _, typed := range tc.logins {
				s.login(t, typed, "password123")
			}
			s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
				"email": tc.logins[len(tc.logins)-1], "password": "password123", "name": "Eve"}}).expectProblem(t, 409)
		})
	}
	for _, name := range []string{"Zoë Ağaoğlu-Núñez", "Seán O'Brien", "山田 太郎", "Ἀριστοτέλης", "محمد"} {
		t.Run("the name "+name+" is accepted", func(t *testing.T) {
			var u user
			s.do(t, request{Method: "POST", Path: "/v1/users", Body: signUpBody("name", name)}).expect(t, 201).decode(t, &u)
			if u.Name != name {
				t.Fatalf("name answered as %q, want %q", u.Name, name)
			}
		})
	}
}

// The token response carries no credentials in its request, yet is one
// user's secret: it is never cached either.
func TestTheTokenResponseIsNeverCached(t *testing.T) {
	s := startServer(t)
	u, _ := s.signUp(t)
	res := s.do(t, request{Method: "POST", Path: "/v1/auth/token", Body: map[string]string{"email": u.Email, "password": "password123"}}).expect(t, 200)
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
}
