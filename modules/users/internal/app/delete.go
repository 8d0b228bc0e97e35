package app

import "context"

// Delete erases userID's account and publishes UserDeleted, on which the
// other modules erase what they hold about the user. The store erases the
// account itself (e-mail, name, password hash, address) and the user's
// events in the module's poison queue (empty while the module consumes no
// events) and relayed outbox; UserDeleted names only the id.
func (s *Service) Delete(ctx context.Context, userID string) error {
	err := s.store.Delete(ctx, userID, func(u *User) error { return u.Delete(now()) })
	return notFound(err)
}
