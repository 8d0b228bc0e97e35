// Package messaging carries events between modules: the transactional outbox
// a module writes to, the relay that moves the outbox onto the bus, and the
// consumer that applies events exactly once through an inbox table.
//
// The event path is:
//
//	use case: BEGIN; business rows; Outbox.Add; COMMIT → wakes the Relay
//	Relay (Watermill forwarder): outbox → bus, offset moved after the bus acks
//	Consumer (Watermill router): BEGIN; inbox check; effect; inbox row; COMMIT
package messaging

import (
	"context"
	"embed"
	"time"

	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
)

// Metadata keys set on every event.
const (
	// MetaEventID duplicates the message UUID for transports that drop it.
	MetaEventID = "event_id"
	// MetaCorrelationID is Watermill's correlation key: the request id of the
	// HTTP call that started the chain, carried across every hop.
	MetaCorrelationID = middleware.CorrelationIDMetadataKey
	// MetaProducer names the module that wrote the event.
	MetaProducer = "producer"
	// MetaOccurredAt is the RFC 3339 time of the change.
	MetaOccurredAt = "occurred_at"
	// MetaEventType is the versioned event name, equal to its topic.
	MetaEventType = "event_type"
	// MetaAttempts counts the handler attempts a poisoned message had.
	MetaAttempts = "attempts"
)

// OutboxTopic is the one pubsub_messages topic the outbox writes enveloped
// events to, so the relay reads all of them in commit order.
const OutboxTopic = "outbox"

// PoisonTopic holds, in the consuming module's database, the messages its
// handlers gave up on, with the error and the attempt count in the metadata.
const PoisonTopic = "poison"

//go:embed schema/sqlite/*.sql schema/postgres/*.sql
var schemaFiles embed.FS

// Schema returns the migration histories every module database carries: the
// Pub/Sub tables (outbox, poison queue) and the inbox.
func Schema() []sqldb.Migrations {
	inbox, err := sqldb.ForEngine(schemaFiles, "schema", "inbox_version")
	if err != nil {
		panic(err) // the embedded directories are fixed at build time
	}
	return []sqldb.Migrations{sqlpubsub.Schema(), inbox}
}

// CorrelationID returns the id that events written under ctx carry: the
// request id of the HTTP call, or of the event being handled, that caused them.
func CorrelationID(ctx context.Context) string {
	return logging.RequestID(ctx)
}

// now is the clock events are stamped with.
func now() time.Time { return time.Now().UTC() }
