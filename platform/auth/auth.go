// Package auth issues and verifies the signed bearer tokens (HS256 JWTs) that
// identify a user on every authenticated endpoint.
package auth

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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

// Leeway is how far the clocks of the issuing and the verifying process may
// differ: a token is taken as expired only this long after its exp, and one
// issued (iat) or valid from (nbf) further than this in the future is refused.
const Leeway = time.Minute

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
			jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(Leeway)),
	}, nil
}

// DeriveKey returns a 32-byte key for purpose, derived from the signing
// secret with HKDF-SHA256 (RFC 5869): every process that shares the secret
// derives the same key, and a key of one purpose tells nothing of the
// secret or of another purpose's key. purpose names the use and its
// version, like "modmono pagination cursor v1".
func (t *Tokens) DeriveKey(purpose string) []byte {
	key, err := hkdf.Key(sha256.New, t.secret, nil, purpose, 32)
	if err != nil {
		panic(err) // only for lengths past 255 hash sizes
	}
	return key
}

// TTL is how long an issued token is valid.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue returns a token naming userID as its subject, with a random id
// (jti) and the time it was issued (iat).
func (t *Tokens) Issue(userID string) (string, error) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("auth: token id: %w", err)
	}
	now := time.Now()
	claims := jwt.RegisteredClaims{
		ID:        base64.RawURLEncoding.EncodeToString(id),
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
	if err != nil || claims.Subject == "" || claims.IssuedAt == nil {
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
			return invalidToken(c)
		}
		c.Set(userIDKey, userID)
		return next(c)
	}
}

// Admit is Echo middleware, placed after Require, that refuses the token of
// a user whom open does not accept, as Require refuses an invalid token: it
// lets the service behind it decide from its own data which users' tokens
// it no longer takes.
func Admit(open func(ctx context.Context, userID string) (bool, error)) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, err := open(c.Request().Context(), UserID(c))
			if err != nil {
				return err
			}
			if !ok {
				return invalidToken(c)
			}
			return next(c)
		}
	}
}

// Refuse answers c as Admit answers for a user whom open does not accept:
// for a handler that learns so itself, in place of Admit's read.
func Refuse(c echo.Context) error {
	return invalidToken(c)
}

func invalidToken(c echo.Context) error {
	c.Response().Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
	return apperror.New(apperror.Unauthorized, "The access token is invalid or expired.")
}

// UserID returns the authenticated user of a request behind Require.
func UserID(c echo.Context) string {
	id, _ := c.Get(userIDKey).(string)
	return id
}
