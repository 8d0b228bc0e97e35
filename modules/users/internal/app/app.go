// Package app holds the users domain and its use cases, one per file. It
// holds no transaction: the Store port opens them, loads, saves and
// publishes.
package app

import (
	"context"
	"errors"
	"time"

	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/password"
)

// Errors a Store returns.
var (
	ErrNotFound   = errors.New("user not found")
	ErrEmailTaken = errors.New("e-mail address taken")
)

// Service runs the users use cases through a Store.
type Service struct {
	store        Store
	tokens       *auth.Tokens
	passwordCost int
	// dummyHash is compared against when an e-mail is unknown, so a failed
	// login takes as long whether or not the account exists.
	dummyHash []byte
}

// New returns the Service working through store. passwordCost is the
// bcrypt cost (4 to 31).
func New(store Store, tokens *auth.Tokens, passwordCost int) (*Service, error) {
	dummy, err := password.Hash(context.Background(), "not-a-real-password", passwordCost)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, tokens: tokens, passwordCost: passwordCost, dummyHash: dummy}, nil
}

// notFound maps the store's miss to the caller's 404; a token may outlive
// its account.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return errAccountGone()
	}
	return err
}

func now() time.Time { return time.Now().UTC() }
