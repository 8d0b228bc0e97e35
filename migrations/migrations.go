// Package migrations embeds each module's schema history: one folder per
// module, goose SQL files numbered in order. A module's history is applied
// only to that module's database.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"example.com/modmono/platform/sqldb"
)

//go:embed users/*.sql orders/*.sql notifications/*.sql
var files embed.FS

// Of returns the migration history of module. The folders are embedded at
// build time, so a module without one is a programming error: Of panics.
func Of(module string) sqldb.Migrations {
	sub, err := fs.Sub(files, module)
	if err == nil {
		var entries []fs.DirEntry
		if entries, err = fs.ReadDir(sub, "."); err == nil && len(entries) == 0 {
			err = fs.ErrNotExist
		}
	}
	if err != nil {
		panic(fmt.Sprintf("migrations: no history for module %q: %v", module, err))
	}
	return sqldb.Migrations{Files: sub, Table: "schema_version"}
}
