package sqldb

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
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
	dialect, files := goose.DialectSQLite3, m.SQLite
	opts := []goose.ProviderOption{goose.WithTableName(m.Table), goose.WithDisableGlobalRegistry(true)}
	if db.dialect == Postgres {
		dialect, files = goose.DialectPostgres, m.Postgres
		// Instances starting together migrate one at a time: a session
		// advisory lock of the schema's own history, or, behind a
		// transaction pooler, where a session lock would be taken on one
		// server connection and released on another, a leased row in a
		// table (goose_lock).
		h := fnv.New64a()
		fmt.Fprintf(h, "%s.%s", db.schema, m.Table)
		id := int64(h.Sum64() >> 1)
		if db.pooled {
			locker, err := lock.NewPostgresTableLocker(lock.WithTableLockID(id), lock.WithTableLockTimeout(time.Second, 300))
			if err != nil {
				return nil, err
			}
			opts = append(opts, goose.WithLocker(locker))
		} else {
			locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
			if err != nil {
				return nil, err
			}
			opts = append(opts, goose.WithSessionLocker(locker))
		}
	}
	if files == nil {
		return nil, fmt.Errorf("migrations %s: no history for %s", m.Table, db.dialect)
	}
	p, err := goose.NewProvider(dialect, db.Write, files, opts...)
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
		return fmt.Errorf("migrate %s (%s): %w", db.where(), m.Table, err)
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

// where names the database in messages: its file, or its schema.
func (db *DB) where() string {
	if db.dialect == Postgres {
		return "schema " + db.schema
	}
	return db.path
}
