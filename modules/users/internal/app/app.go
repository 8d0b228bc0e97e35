// Package app holds the users use cases, one per file.
package app

import (
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"

	"example.com/modmono/modules/users/internal/store"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqlitedb"
)

// Service runs the users use cases against the users database.
type Service struct {
	db           *sqlitedb.DB
	outbox       *messaging.Outbox
	tokens       *auth.Tokens
	passwordCost int
	// dummyHash is compared against when an e-mail is unknown, so a failed
	// login takes as long whether or not the account exists.
	dummyHash []byte
}

// New returns the Service. passwordCost is the bcrypt cost (4 to 31).
func New(db *sqlitedb.DB, outbox *messaging.Outbox, tokens *auth.Tokens, passwordCost int) (*Service, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("not-a-real-password"), passwordCost)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, outbox: outbox, tokens: tokens, passwordCost: passwordCost, dummyHash: dummy}, nil
}

// User is an account as the API shows it.
type User struct {
	ID        string
	Email     string
	Name      string
	Address   *store.Address
	CreatedAt time.Time
}

func fromStore(u store.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, Address: u.Address, CreatedAt: u.CreatedAt}
}

// notFound maps the store's miss to the caller's 404; a token may outlive
// its account.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperror.New(apperror.NotFound, "The account does not exist.")
	}
	return err
}

func now() time.Time { return time.Now().UTC() }
