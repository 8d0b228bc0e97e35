// Package sqlpubsub is a Watermill Pub/Sub stored in a SQLite or PostgreSQL
// database.
//
// It is the transport of the transactional outbox: a Publisher built on a
// *sql.Tx writes messages in the same transaction as the business change, and
// a Subscriber reads them back in order once committed. Each consumer group
// keeps its own offset per topic; a lease in the offsets table makes exactly
// one subscriber (in any process) the group's consumer of a topic at a time,
// which is what keeps delivery in order. Delivery is at-least-once: an offset
// moves only after the message is acknowledged.
//
// On PostgreSQL, transactions commit out of seq order, so an offset is the
// pair (xid, seq) and a Subscriber reads only rows whose transaction has
// settled (sqldb.Dialect.Settled); a trigger announces commits on Channel.
//
// A Follower reads any table with such (xid, seq) columns the same way, on
// the same offsets, leases, Signal and poll, and hands its rows to a
// function instead of a channel: work a module stores in its own tables,
// to be done in order by one process at a time, needs no machinery of its
// own.
package sqlpubsub

import (
	"embed"

	"example.com/modmono/platform/sqldb"
)

//go:embed schema/sqlite/*.sql schema/postgres/*.sql
var schemaFiles embed.FS

// Schema is the migration history of the tables this package uses. Apply it
// to every database that carries messages.
func Schema() sqldb.Migrations {
	m, err := sqldb.ForEngine(schemaFiles, "schema", "pubsub_version")
	if err != nil {
		panic(err) // the embedded directories are fixed at build time
	}
	return m
}

// Channel is the PostgreSQL notification channel on which every commit that
// published to the tables in schema is announced (see the schema's trigger).
func Channel(schema string) string { return "sqlpubsub_" + schema }
