package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/password"
	"example.com/modmono/platform/validate"
)

// Token is an issued access token.
type Token struct {
	AccessToken string
	ExpiresIn   time.Duration
}

// Login checks the credentials and issues a token. Unknown e-mail and wrong
// password get the same answer, in the same time.
func (s *Service) Login(ctx context.Context, email, secret string) (Token, error) {
	var v validate.Validator
	email = strings.ToLower(strings.TrimSpace(email))
	v.Check(email != "", "email", "is required")
	v.Check(secret != "", "password", "is required")
	if err := v.Err(); err != nil {
		return Token{}, err
	}
	wrong := apperror.New(apperror.Unauthorized, "The e-mail address or password is wrong.")
	u, err := s.store.ByEmail(ctx, s.db.Read, email)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Token{}, err
	}
	hash := s.dummyHash
	if known {
		hash = []byte(u.PasswordHash)
	}
	err = password.Compare(ctx, hash, secret)
	if errors.Is(err, password.ErrMismatch) || (err == nil && !known) {
		return Token{}, wrong
	}
	if err != nil {
		return Token{}, err // busy, or the client left
	}
	tok, err := s.tokens.Issue(u.ID)
	if err != nil {
		return Token{}, err
	}
	return Token{AccessToken: tok, ExpiresIn: s.tokens.TTL()}, nil
}
