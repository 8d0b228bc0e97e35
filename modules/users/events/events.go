// Package events is the users module's public contract: the topics it
// publishes and their payloads. Other modules may import this package and
// nothing else of users. A breaking change gets a new versioned topic.
package events

import (
	"errors"
	"time"
)

// Topics, versioned in their names.
const (
	TopicUserRegistered     = "users.UserRegistered.v1"
	TopicUserAddressUpdated = "users.UserAddressUpdated.v1"
	TopicUserDeleted        = "users.UserDeleted.v1"
)

// UserRegistered: a user signed up.
type UserRegistered struct {
	UserID       string    `json:"user_id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	RegisteredAt time.Time `json:"registered_at"`
}

// Validate checks the fields every consumer relies on.
func (e UserRegistered) Validate() error {
	if e.UserID == "" || e.Email == "" {
		return errors.New("user_id and email are required")
	}
	return nil
}

// Address is a user's postal address.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// UserAddressUpdated: a user set or changed their address.
type UserAddressUpdated struct {
	UserID    string    `json:"user_id"`
	Address   Address   `json:"address"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the fields every consumer relies on.
func (e UserAddressUpdated) Validate() error {
	a := e.Address
	if e.UserID == "" || a.Line1 == "" || a.City == "" || a.PostalCode == "" || len(a.Country) != 2 {
		return errors.New("user_id and a complete address are required")
	}
	return nil
}

// UserDeleted: a user closed their account; consumers forget them.
type UserDeleted struct {
	UserID    string    `json:"user_id"`
	DeletedAt time.Time `json:"deleted_at"`
}

// Validate checks the fields every consumer relies on.
func (e UserDeleted) Validate() error {
	if e.UserID == "" {
		return errors.New("user_id is required")
	}
	return nil
}
