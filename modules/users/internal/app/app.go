// Package app holds the users domain and its use cases, one per file.
package app

import (
	"context"
	"errors"
	"time"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/password"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/validate"
)

// User is an account.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Address      *Address // nil until the user sets one
	CreatedAt    time.Time
}

// Address is a user's postal address.
type Address validate.Address

// Errors a Store returns.
var (
	ErrNotFound   = errors.New("user not found")
	ErrEmailTaken = errors.New("e-mail address taken")
)

// Querier is a database handle or the transaction of a use case.
type Querier = sqldb.Querier

// Store is what the use cases need of the users database. Each method runs
// on q, so that a use case's reads and writes share its transaction.
type Store interface {
	Insert(ctx context.Context, q Querier, u User) error // ErrEmailTaken when the e-mail is taken
	ByID(ctx context.Context, q Querier, id string) (User, error)
	Exists(ctx context.Context, q Querier, id string) (bool, error)     // one primary-key probe
	ByEmail(ctx context.Context, q Querier, email string) (User, error) // email exactly as stored
	SetAddress(ctx context.Context, q Querier, id string, a Address, at time.Time) error
	Delete(ctx context.Context, q Querier, id string) error
}

// Service runs the users use cases against the users database.
type Service struct {
	db           *sqldb.DB
	store        Store
	outbox       *messaging.Outbox
	tokens       *auth.Tokens
	passwordCost int
	// dummyHash is compared against when an e-mail is unknown, so a failed
	// login takes as long whether or not the account exists.
	dummyHash []byte
}

// New returns the Service working on db through store. passwordCost is the
// bcrypt cost (4 to 31).
func New(db *sqldb.DB, store Store, outbox *messaging.Outbox, tokens *auth.Tokens, passwordCost int) (*Service, error) {
	dummy, err := password.Hash(context.Background(), "not-a-real-password", passwordCost)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, store: store, outbox: outbox, tokens: tokens, passwordCost: passwordCost, dummyHash: dummy}, nil
}

// notFound maps the store's miss to the caller's 404; a token may outlive
// its account.
func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return apperror.New(apperror.NotFound, "The account does not exist.")
	}
	return err
}

func now() time.Time { return time.Now().UTC() }
