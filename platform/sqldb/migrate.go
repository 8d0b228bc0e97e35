package sqldb

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrations is one embedded migration history, written once per engine.
// Several histories may share a database as long as their version tables
// differ.
type Migrations struct {
	// SQLite and Postgres hold the goose SQL files (0001_name.sql …) at
	// their root, one history per engine.
	SQLite, Postgres fs.FS
	// Table records which versions are applied, e.g. "goose_db_version".
	Table string
}

// ForEngine returns the folders of files for each engine, sub/sqlite and
// sub/postgres of dir: the layout every history in this project keeps.
func ForEngine(dir fs.FS, sub, table string) (Migrations, error) {
	lite, err := fs.Sub(dir, sub+"/sqlite")
	if err != nil {
		return Migrations{}, err
	}
	pg, err := fs.Sub(dir, sub+"/postgres")
	if err != nil {
		return Migrations{}, err
	}
	return Migrations{SQLite: lite, Postgres: pg, Table: table}, nil
}

func (db *DB) provider(m Migrations) (*goose.Provider, error) {
	dialect, files, own, err := db.engine.migrations(m)
	if err != nil {
		return nil, err
	}
	if files == nil {
		return nil, fmt.Errorf("migrations %s: no history for %s", m.Table, db.dialect)
	}
	opts := []goose.ProviderOption{goose.WithTableName(m.Table), goose.WithDisableGlobalRegistry(true)}
	p, err := goose.NewProvider(dialect, db.Write, files, append(opts, own...)...)
	if err != nil {
		return nil, fmt.Errorf("migrations %s: %w", m.Table, err)
	}
	return p, nil
}

// Migrate applies every pending migration of m.
func (db *DB) Migrate(ctx context.Context, m Migrations) error {
	p, err := db.provider(m)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s (%s): %w", db.engine.where(), m.Table, err)
	}
	return nil
}

// CheckMigrated returns an error when m has migrations the database lacks.
func (db *DB) CheckMigrated(ctx context.Context, m Migrations) error {
	p, err := db.provider(m)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("migration status %s: %w", m.Table, err)
	}
	if current < target {
		return fmt.Errorf("%s: schema at version %d, binary expects %d", m.Table, current, target)
	}
	return nil
}
