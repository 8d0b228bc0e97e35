// Package migrations embeds each module's schema history: one folder per
// module, goose SQL files numbered in order, once for SQLite (sqlite/) and
// once for PostgreSQL (postgres/). A module's history is applied
// only to that module's database.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"example.com/modmono/platform/sqldb"
)

//go:embed */sqlite/*.sql */postgres/*.sql
var files embed.FS

// Of returns the migration history of module. The folders are embedded at
// build time, so a module without one is a programming error: Of panics.
func Of(module string) sqldb.Migrations {
	m, err := sqldb.ForEngine(files, module, "schema_version")
	for _, dir := range []fs.FS{m.SQLite, m.Postgres} {
		if err != nil {
			break
		}
		var entries []fs.DirEntry
		if entries, err = fs.ReadDir(dir, "."); err == nil && len(entries) == 0 {
			err = fs.ErrNotExist
		}
	}
	if err != nil {
		panic(fmt.Sprintf("migrations: no history for module %q: %v", module, err))
	}
	return m
}
