package app

import "context"

// Store is the port the use cases reach the users database through. It
// exposes intent: each method opens its own transaction, read or write as
// it sees fit, and saves what the functions it calls changed together with
// the events the user recorded (User.Events), in that transaction.
type Store interface {
	// Register stores the new user u and publishes its events;
	// ErrEmailTaken when u's e-mail address is taken.
	Register(ctx context.Context, u User) error
	// User returns the user id, ErrNotFound if there is none.
	User(ctx context.Context, id string) (User, error)
	// ByEmail returns the user stored under email, exactly as given;
	// ErrNotFound if there is none.
	ByEmail(ctx context.Context, email string) (User, error)
	// Exists reports whether the user id has an account: one primary-key
	// probe.
	Exists(ctx context.Context, id string) (bool, error)
	// UpdateUser loads the user id (ErrNotFound) in a write transaction
	// that holds the user's lock, and calls update on it; when update
	// returns nil, it saves the user and publishes its events.
	UpdateUser(ctx context.Context, id string, update func(*User) error) error
	// Delete loads the user id as UpdateUser does and calls remove on it,
	// which must leave the user Deleted; when remove returns nil, it erases
	// the account and the user's events in the module's poison queue and
	// relayed outbox, then publishes the user's events.
	Delete(ctx context.Context, id string, remove func(*User) error) error
}
