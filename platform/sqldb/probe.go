package sqldb

import (
	"context"
	"embed"
	"time"
)

//go:embed schema/sqlite/*.sql schema/postgres/*.sql
var schemaFiles embed.FS

// Schema is the migration history of the table CheckWritable writes to.
func Schema() Migrations {
	m, err := ForEngine(schemaFiles, "schema", "sqldb_version")
	if err != nil {
		panic(err) // the embedded directories are fixed at build time
	}
	return m
}

// CheckWritable writes one row in a transaction of its own, through the
// same path as every other write: whether the database takes writes now. A
// file made read-only, a full disk or a lost connection fails it; Ping,
// which only reads, passes all three. It needs Schema's table.
func (db *DB) CheckWritable(ctx context.Context) error {
	return db.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO write_probe (id, probed_at) VALUES (1, $1)
ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, Time(time.Now()))
		return err
	})
}
