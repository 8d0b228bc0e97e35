package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// PostgresOptions tune a PostgreSQL database; the zero value gives the defaults.
type PostgresOptions struct {
	// MaxConns caps the module's pool. Default: 10.
	MaxConns int
	// ConnectTimeout bounds each new connection unless the URL sets
	// connect_timeout. Default: 5s.
	ConnectTimeout time.Duration
}

// postgres is a DB's engine on PostgreSQL: a schema of a database, reached
// through one pool; transactions pipelined (postgrestx.go) and commits
// announced with LISTEN/NOTIFY (postgreslisten.go).
type postgres struct {
	db       *DB
	schema   string          // the module's schema
	instance string          // see Instance
	conf     *pgx.ConnConfig // how the listeners connect
	pooled   bool            // behind a transaction pooler; see Pooled

	mu        sync.Mutex
	listeners map[string][]func() // Listen's functions, by channel
}

// OpenPostgres connects to the PostgreSQL database at url and works in
// schema: every connection has search_path set to it alone, so unqualified
// table names are the module's own. The schema is created when it is
// missing (which needs the CREATE privilege on the database); a schema an
// administrator created for a module's role is used as it is.
func OpenPostgres(ctx context.Context, url, schema string, opts PostgresOptions) (*DB, error) {
	if schema == "" {
		return nil, errors.New("postgres: no schema given")
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 10
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	conf, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message can quote the URL, password included.
		return nil, errors.New("postgres: the URL cannot be parsed")
	}
	if conf.ConnectTimeout == 0 {
		conf.ConnectTimeout = opts.ConnectTimeout
	}
	conf.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	// application_name ends in the instance, which tells SQL (the outbox's
	// trigger) which sessions are this DB's; connection poolers such as
	// PgBouncer pass it on, where they refuse settings of their own.
	instance := strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	name := conf.RuntimeParams["application_name"]
	if name == "" {
		name = "modmono-" + schema
	}
	const maxName = 63 // longer names are cut by the server
	conf.RuntimeParams["application_name"] = name[:min(len(name), maxName-1-len(instance))] + "/" + instance
	pool := stdlib.OpenDB(*conf)
	pool.SetMaxOpenConns(opts.MaxConns)
	pool.SetMaxIdleConns(opts.MaxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{dialect: Postgres, Write: pool, Read: pool, closing: make(chan struct{})}
	pg := &postgres{db: db, schema: schema, instance: instance, conf: conf, pooled: pooledMode(conf.DefaultQueryExecMode)}
	db.engine = pg
	if err := pg.ensureSchema(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres %s@%s:%d/%s: %w", conf.User, conf.Host, conf.Port, conf.Database, err)
	}
	return db, nil
}

func (pg *postgres) ensureSchema(ctx context.Context) error {
	var exists bool
	err := pg.db.Write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`,
		pg.schema).Scan(&exists)
	if err != nil {
		return err
	}
	if !exists {
		_, err = pg.db.Write.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{pg.schema}.Sanitize())
		// IF NOT EXISTS does not hold against another instance creating it at
		// the same moment: that one's schema will do.
		if err != nil && !IsUniqueViolation(err) {
			return fmt.Errorf("create schema %s: %w", pg.schema, err)
		}
	}
	return pg.checkSearchPath(ctx)
}

// checkSearchPath fails when unqualified names would not land in the
// module's schema: a connection pooler (PgBouncer, RDS Proxy) may drop
// the search_path the connections ask for at start-up, and then only the
// role's or the database's own search_path counts.
func (pg *postgres) checkSearchPath(ctx context.Context) error {
	var current sql.NullString
	if err := pg.db.Write.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return err
	}
	if current.String != pg.schema {
		return fmt.Errorf("the connections work in schema %q, not %q: a connection pooler dropped the search_path "+
			"asked for at start-up; set the role's (ALTER ROLE … SET search_path = %s) or the database's",
			current.String, pg.schema, pg.schema)
	}
	return nil
}

// pooledMode reports a query mode that runs through a transaction pooler:
// one that leaves no prepared statement on a server connection, where the
// next transaction, on another connection, would not find it.
func pooledMode(mode pgx.QueryExecMode) bool {
	return mode == pgx.QueryExecModeExec || mode == pgx.QueryExecModeSimpleProtocol
}

// postgres returns db's engine when db is on PostgreSQL.
func (db *DB) postgres() (*postgres, bool) {
	pg, ok := db.engine.(*postgres)
	return pg, ok
}

// Schema is the PostgreSQL schema db works in ("" on SQLite).
func (db *DB) Schema() string {
	if pg, ok := db.postgres(); ok {
		return pg.schema
	}
	return ""
}

// Pooled reports that db reaches PostgreSQL through a transaction pooler
// (PgBouncer in transaction mode, RDS Proxy), as its URL declares with
// default_query_exec_mode=exec or simple_protocol: each transaction may run
// on a different server connection, so nothing may rely on the session
// (prepared statements, session advisory locks). Migrations then take a
// lock row in a table instead of a session advisory lock.
func (db *DB) Pooled() bool {
	pg, ok := db.postgres()
	return ok && pg.pooled
}

// Instance is a name for db unique to it, across processes and restarts,
// that its PostgreSQL connections carry at the end of application_name,
// after the last "/" ("" on SQLite). SQL can tell from it whether a row
// another session wrote (a lease, say) is this process's.
func (db *DB) Instance() string {
	if pg, ok := db.postgres(); ok {
		return pg.instance
	}
	return ""
}

// migrations: instances starting together migrate one at a time, under a
// session advisory lock of the schema's own history or, behind a
// transaction pooler, where a session lock would be taken on one server
// connection and released on another, a leased row in a table (goose_lock).
func (pg *postgres) migrations(m Migrations) (goose.Dialect, fs.FS, []goose.ProviderOption, error) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s.%s", pg.schema, m.Table)
	id := int64(h.Sum64() >> 1)
	if pg.pooled {
		locker, err := lock.NewPostgresTableLocker(lock.WithTableLockID(id), lock.WithTableLockTimeout(time.Second, 300))
		if err != nil {
			return "", nil, nil, err
		}
		return goose.DialectPostgres, m.Postgres, []goose.ProviderOption{goose.WithLocker(locker)}, nil
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
	if err != nil {
		return "", nil, nil, err
	}
	return goose.DialectPostgres, m.Postgres, []goose.ProviderOption{goose.WithSessionLocker(locker)}, nil
}

func (pg *postgres) where() string { return "schema " + pg.schema }

// close closes the one pool, which is both Write and Read.
func (pg *postgres) close() error { return pg.db.Write.Close() }
