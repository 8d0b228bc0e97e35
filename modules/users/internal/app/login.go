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
	v.Check(strings.TrimSpace(email) != "", "email", "is required")
	v.Check(secret != "", "password", "is required")
	if err := v.Err(); err != nil {
		return Token{}, err
	}
	wrong := apperror.New(apperror.Unauthorized, "The e-mail address or password is wrong.")
	u, err := s.byAnyEmail(ctx, emailKeys(email))
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

// emailKeys are the forms an account with e-mail address email may be
// stored under: its canonical form (validate.CanonicalEmail), which every
// sign-up stores, then the trimmed, lower-cased form releases before it
// stored. They differ only for addresses those releases took as typed: a
// punycode domain ("xn--bcher-kva.de", now "bücher.de"), Unicode not in NFC
// or in full width, or an address the rules now refuse. An address that
// cannot be canonicalised has only the old form, so its account, if any,
// can still sign in.
func emailKeys(email string) []string {
	email = strings.TrimSpace(email)
	legacy := strings.ToLower(email)
	canonical, err := validate.CanonicalEmail(email)
	if err != nil || canonical == legacy {
		return []string{legacy}
	}
	return []string{canonical, legacy}
}

// byAnyEmail returns the user stored under the first of keys that one is.
func (s *Service) byAnyEmail(ctx context.Context, keys []string) (User, error) {
	for _, key := range keys {
		u, err := s.store.ByEmail(ctx, key)
		if !errors.Is(err, ErrNotFound) {
			return u, err
		}
	}
	return User{}, ErrNotFound
}
