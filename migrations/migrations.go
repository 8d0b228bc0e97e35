// Package migrations embeds each module's schema history: one folder per
// module, goose SQL files numbered in order. A module's history is applied
// only to that module's database.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"example.com/modmono/platform/sqlitedb"
)

//go:embed users/*.sql orders/*.sql notifications/*.sql
var files embed.FS

// For returns the migration history of module.
func For(module string) (sqlitedb.Migrations, error) {
	sub, err := fs.Sub(files, module)
	if err != nil {
		return sqlitedb.Migrations{}, err
	}
	if entries, err := fs.ReadDir(sub, "."); err != nil || len(entries) == 0 {
		return sqlitedb.Migrations{}, fmt.Errorf("migrations: no history for module %q", module)
	}
	return sqlitedb.Migrations{Files: sub, Table: "schema_version"}, nil
}
