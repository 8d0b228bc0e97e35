// Package auth issues and verifies the signed bearer tokens (HS256 JWTs) that
// identify a user on every authenticated endpoint.
package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/apperror"
)

// MinSecretLen is the shortest signing secret accepted, in bytes.
const MinSecretLen = 32

const issuer = "modmono"

// Tokens issues and verifies access tokens.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	parser *jwt.Parser
}

// NewTokens returns Tokens signing with secret; tokens live for ttl.
func NewTokens(secret []byte, ttl time.Duration) (*Tokens, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("auth: signing secret must be at least %d bytes", MinSecretLen)
	}
	if ttl <= 0 {
		return nil, errors.New("auth: token lifetime must be positive")
	}
	return &Tokens{
		secret: secret,
		ttl:    ttl,
		parser: jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(issuer),
			jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Second)),
	}, nil
}

// TTL is how long an issued token is valid.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue returns a token naming userID as its subject.
func (t *Tokens) Issue(userID string) (string, error) {
	now := time.Now()
	claims := jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   userID,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
}

// Verify returns the user id a valid token names.
func (t *Tokens) Verify(token string) (string, error) {
	var claims jwt.RegisteredClaims
	_, err := t.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.secret, nil })
	if err != nil || claims.Subject == "" {
		return "", apperror.New(apperror.Unauthorized, "The access token is invalid or expired.")
	}
	return claims.Subject, nil
}

const userIDKey = "auth.user_id"

// Require is Echo middleware that admits only requests with a valid
// "Authorization: Bearer <token>" header.
func (t *Tokens) Require(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			return apperror.New(apperror.Unauthorized, "A bearer access token is required.")
		}
		userID, err := t.Verify(strings.TrimSpace(token))
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
			return err
		}
		c.Set(userIDKey, userID)
		return next(c)
	}
}

// UserID returns the authenticated user of a request behind Require.
func UserID(c echo.Context) string {
	id, _ := c.Get(userIDKey).(string)
	return id
}
