package sqldb

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrations is one embedded migration history applied to a database. Several
// histories may share a database as long as their version tables differ.
type Migrations struct {
	// Files holds the goose SQL files (0001_name.sql …) at its root.
	Files fs.FS
	// Table records which versions are applied, e.g. "goose_db_version".
	Table string
}

func (db *DB) provider(m Migrations) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, db.Write, m.Files,
		goose.WithTableName(m.Table), goose.WithDisableGlobalRegistry(true))
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
		return fmt.Errorf("migrate %s (%s): %w", db.path, m.Table, err)
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
