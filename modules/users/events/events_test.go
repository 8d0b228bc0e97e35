package events_test

import (
	"os"
	"testing"
	"time"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/platform/eventschema"
)

// TestContracts holds the published topics to their schemas, and the
// schemas to what was first published.
func TestContracts(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	samples := map[string]any{
		events.TopicUserRegistered: events.UserRegistered{UserID: "u1", Email: "a@example.com", Name: "A", RegisteredAt: at},
		events.TopicUserAddressUpdated: events.UserAddressUpdated{UserID: "u1", UpdatedAt: at,
			Address: events.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}},
		events.TopicUserDeleted: events.UserDeleted{UserID: "u1", DeletedAt: at},
	}
	for _, err := range eventschema.CheckContracts(events.Contracts, os.DirFS("testdata/published"), samples) {
		t.Error(err)
	}
}
