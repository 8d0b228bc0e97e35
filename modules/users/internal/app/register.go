package app

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/password"
	"example.com/modmono/platform/validate"
)

// Register is the sign-up request.
type Register struct {
	Email    string
	Password string
	Name     string
}

func (r *Register) validate() error {
	var v validate.Validator
	v.Email("email", &r.Email)
	// Characters at least, as the document's minLength counts them; bytes
	// at most, as bcrypt reads no further.
	v.Check(utf8.RuneCountInString(r.Password) >= 8, "password", "must be at least 8 characters")
	v.Check(len(r.Password) <= 72, "password", "must be at most 72 bytes (UTF-8)")
	v.Text("name", &r.Name, 1, 100)
	return v.Err()
}

// Register creates an account and publishes UserRegistered.
func (s *Service) Register(ctx context.Context, r Register) (User, error) {
	keys := emailKeys(r.Email) // before validate makes it canonical
	if err := r.validate(); err != nil {
		return User{}, err
	}
	// A taken e-mail, in any form it may be stored under, is refused
	// before the costly hash; Store.Register still refuses the one a concurrent
	// sign-up takes in between.
	taken := apperror.New(apperror.Conflict, "An account with this e-mail address already exists.")
	if _, err := s.byAnyEmail(ctx, keys); err == nil {
		return User{}, taken
	} else if !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	hash, err := password.Hash(ctx, r.Password, s.passwordCost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	u := NewUser(uuid.NewString(), r, string(hash), now())
	err = s.store.Register(ctx, u)
	if errors.Is(err, ErrEmailTaken) {
		return User{}, taken
	}
	if err != nil {
		return User{}, err
	}
	return u, nil
}
