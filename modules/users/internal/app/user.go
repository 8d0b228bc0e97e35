package app

import (
	"time"

	"example.com/modmono/platform/apperror"
)

// User is an account, the module's aggregate: its methods keep its rules
// and record the events other modules learn of, which the store publishes
// in the transaction that saves the user.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Address      *Address // nil until the user sets one
	CreatedAt    time.Time
	// UpdatedAt is when the account last changed: when it opened, or when
	// its address last changed.
	UpdatedAt time.Time

	deleted bool
	events  []Event
}

// Event is what a User's method did that other modules learn of:
// UserRegistered, UserAddressUpdated or UserDeleted.
type Event interface{ userEvent() }

// UserRegistered records that a user signed up; User is the account as
// opened.
type UserRegistered struct{ User User }

// UserAddressUpdated records that a user set or changed their address.
type UserAddressUpdated struct {
	UserID  string
	Address Address
	At      time.Time
}

// UserDeleted records that a user closed their account.
type UserDeleted struct {
	UserID string
	At     time.Time
}

func (UserRegistered) userEvent()     {}
func (UserAddressUpdated) userEvent() {}
func (UserDeleted) userEvent()        {}

// NewUser opens the account r asks for, which its rules (Register.validate)
// admitted, under id with passwordHash, as of at, and records
// UserRegistered.
func NewUser(id string, r Register, passwordHash string, at time.Time) User {
	u := User{ID: id, Email: r.Email, Name: r.Name, PasswordHash: passwordHash, CreatedAt: at, UpdatedAt: at}
	u.events = []Event{UserRegistered{User: u}}
	return u
}

// ChangeAddress makes a, normalised, u's address as of at, and records
// UserAddressUpdated; an invalid address changes nothing.
func (u *User) ChangeAddress(a Address, at time.Time) error {
	if u.deleted {
		return errAccountGone()
	}
	if err := a.validate(); err != nil {
		return err
	}
	u.Address, u.UpdatedAt = &a, at
	u.events = append(u.events, UserAddressUpdated{UserID: u.ID, Address: a, At: at})
	return nil
}

// Delete closes u's account as of at and records UserDeleted; an account
// already closed does not exist.
func (u *User) Delete(at time.Time) error {
	if u.deleted {
		return errAccountGone()
	}
	u.deleted = true
	u.events = append(u.events, UserDeleted{UserID: u.ID, At: at})
	return nil
}

// Deleted reports whether u's account was closed.
func (u User) Deleted() bool { return u.deleted }

// Events returns the events u's methods recorded since it was loaded or
// created, oldest first.
func (u User) Events() []Event { return u.events }

func errAccountGone() error {
	return apperror.New(apperror.NotFound, "The account does not exist.")
}
