package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/auth"
)

var secret = []byte("test-secret-test-secret-test-secret-0123")

func newTokens(t *testing.T) *auth.Tokens {
	t.Helper()
	tokens, err := auth.NewTokens(secret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

// sign returns an HS256 token with claims, signed with the right secret.
func sign(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIssuedTokensCarryARandomIDAndTheirIssueTime(t *testing.T) {
	tokens := newTokens(t)
	ids := map[string]bool{}
	for range 2 {
		raw, err := tokens.Issue("u1")
		if err != nil {
			t.Fatal(err)
		}
		var claims jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(raw, &claims); err != nil {
			t.Fatal(err)
		}
		if len(claims.ID) < 16 || ids[claims.ID] {
			t.Errorf("jti %q: want a fresh random id", claims.ID)
		}
		ids[claims.ID] = true
		if claims.IssuedAt == nil || time.Since(claims.IssuedAt.Time).Abs() > time.Minute {
			t.Errorf("iat %v, want now", claims.IssuedAt)
		}
		if sub, err := tokens.Verify(raw); err != nil || sub != "u1" {
			t.Errorf("Verify = %q, %v; want u1", sub, err)
		}
	}
}

func TestVerifyRefusesTokensFromTheFuture(t *testing.T) {
	now := time.Now()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "modmono", "sub": "u1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := base()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name   string
		claims jwt.MapClaims
		valid  bool
	}{
		{"a token issued now is accepted", base(), true},
		{"an iat within the leeway is accepted", with("iat", now.Add(auth.Leeway/2).Unix()), true},
		{"an nbf within the leeway is accepted", with("nbf", now.Add(auth.Leeway/2).Unix()), true},
		{"an iat ten years ahead is refused", with("iat", now.AddDate(10, 0, 0).Unix()), false},
		{"an iat just beyond the leeway is refused", with("iat", now.Add(auth.Leeway+10*time.Second).Unix()), false},
		{"an nbf beyond the leeway is refused", with("nbf", now.Add(auth.Leeway+10*time.Second).Unix()), false},
		{"a token without iat is refused", with("iat", nil), false},
		{"an expired token is refused", with("exp", now.Add(-auth.Leeway-time.Second).Unix()), false},
	}
	tokens := newTokens(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := tokens.Verify(sign(t, tc.claims))
			if tc.valid && (err != nil || sub != "u1") {
				t.Fatalf("Verify = %q, %v; want u1", sub, err)
			}
			if !tc.valid && apperror.KindOf(err) != apperror.Unauthorized {
				t.Fatalf("Verify = %q, %v; want unauthorized", sub, err)
			}
		})
	}
}

func TestAdmitRefusesTheTokensOfUsersTheServiceNoLongerTakes(t *testing.T) {
	tokens := newTokens(t)
	tok, err := tokens.Issue("closed")
	if err != nil {
		t.Fatal(err)
	}
	other, err := tokens.Issue("open")
	if err != nil {
		t.Fatal(err)
	}
	failing := errors.New("database down")
	open := func(_ context.Context, userID string) (bool, error) {
		switch userID {
		case "open":
			return true, nil
		case "broken":
			return false, failing
		}
		return false, nil
	}
	broken, err := tokens.Issue("broken")
	if err != nil {
		t.Fatal(err)
	}
	h := tokens.Require(auth.Admit(open)(func(c echo.Context) error { return c.String(http.StatusOK, auth.UserID(c)) }))
	serve := func(token string) (*httptest.ResponseRecorder, error) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set(echo.HeaderAuthorization, "Bearer "+token)
		rec := httptest.NewRecorder()
		return rec, h(echo.New().NewContext(req, rec))
	}

	if rec, err := serve(other); err != nil || rec.Body.String() != "open" {
		t.Errorf("an open user's token: %v, body %q", err, rec.Body)
	}
	rec, err := serve(tok)
	if apperror.KindOf(err) != apperror.Unauthorized {
		t.Errorf("a closed user's token: %v, want unauthorized", err)
	}
	if got := rec.Header().Get("WWW-Authenticate"); got != `Bearer realm="api", error="invalid_token"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
	if _, err := serve(broken); !errors.Is(err, failing) {
		t.Errorf("a failing check: %v, want its error", err)
	}
}

func TestDerivedKeysAreStablePerSecretAndDistinctPerPurpose(t *testing.T) {
	newTokens := func(secret string) *auth.Tokens {
		tok, err := auth.NewTokens([]byte(secret), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	a := newTokens("test-secret-test-secret-test-secret-0123")
	again := newTokens("test-secret-test-secret-test-secret-0123")
	other := newTokens("another-secret-another-secret-another-00")
	key := string(a.DeriveKey("cursor"))
	switch {
	case len(key) != 32:
		t.Fatalf("key of %d bytes, want 32", len(key))
	case string(again.DeriveKey("cursor")) != key:
		t.Error("two processes with one secret derive different keys")
	case string(a.DeriveKey("other purpose")) == key:
		t.Error("two purposes share a key")
	case string(other.DeriveKey("cursor")) == key:
		t.Error("two secrets derive one key")
	}
}
