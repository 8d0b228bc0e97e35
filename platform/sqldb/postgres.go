package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgresOptions tune a PostgreSQL database; the zero value gives the defaults.
type PostgresOptions struct {
	// MaxConns caps the module's pool. Default: 10.
	MaxConns int
	// ConnectTimeout bounds each new connection unless the URL sets
	// connect_timeout. Default: 5s.
	ConnectTimeout time.Duration
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
	db := &DB{dialect: Postgres, schema: schema, instance: instance, pgConf: conf, Write: pool, Read: pool,
		pooled: pooledMode(conf.DefaultQueryExecMode), closing: make(chan struct{})}
	if err := db.ensureSchema(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres %s@%s:%d/%s: %w", conf.User, conf.Host, conf.Port, conf.Database, err)
	}
	return db, nil
}

func (db *DB) ensureSchema(ctx context.Context) error {
	var exists bool
	err := db.Write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`,
		db.schema).Scan(&exists)
	if err != nil {
		return err
	}
	if !exists {
		_, err = db.Write.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{db.schema}.Sanitize())
		// IF NOT EXISTS does not hold against another instance creating it at
		// the same moment: that one's schema will do.
		if err != nil && !IsUniqueViolation(err) {
			return fmt.Errorf("create schema %s: %w", db.schema, err)
		}
	}
	return db.checkSearchPath(ctx)
}

// checkSearchPath fails when unqualified names would not land in the
// module's schema: a connection pooler (PgBouncer, RDS Proxy) may drop
// the search_path the connections ask for at start-up, and then only the
// role's or the database's own search_path counts.
func (db *DB) checkSearchPath(ctx context.Context) error {
	var current sql.NullString
	if err := db.Write.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return err
	}
	if current.String != db.schema {
		return fmt.Errorf("the connections work in schema %q, not %q: a connection pooler dropped the search_path "+
			"asked for at start-up; set the role's (ALTER ROLE … SET search_path = %s) or the database's",
			current.String, db.schema, db.schema)
	}
	return nil
}

// pooledMode reports a query mode that runs through a transaction pooler:
// one that leaves no prepared statement on a server connection, where the
// next transaction, on another connection, would not find it.
func pooledMode(mode pgx.QueryExecMode) bool {
	return mode == pgx.QueryExecModeExec || mode == pgx.QueryExecModeSimpleProtocol
}

// Pooled reports that db reaches PostgreSQL through a transaction pooler
// (PgBouncer in transaction mode, RDS Proxy), as its URL declares with
// default_query_exec_mode=exec or simple_protocol: each transaction may run
// on a different server connection, so nothing may rely on the session
// (prepared statements, session advisory locks). Migrations then take a
// lock row in a table instead of a session advisory lock.
func (db *DB) Pooled() bool { return db.pooled }

// Instance is a name for db unique to it, across processes and restarts,
// that its PostgreSQL connections carry at the end of application_name,
// after the last "/" ("" on SQLite). SQL can tell from it whether a row
// another session wrote (a lease, say) is this process's.
func (db *DB) Instance() string { return db.instance }

// pgInTx is InTx on PostgreSQL.
func (db *DB) pgInTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	db.closeMu.RLock()
	closed := db.closed
	db.closeMu.RUnlock()
	if closed {
		return ErrClosed
	}
	for attempt := 1; ; attempt++ {
		wake, err := db.pgTxOnce(ctx, fn)
		if err == nil {
			for _, f := range wake {
				f()
			}
			db.committed(1)
			return nil
		}
		if attempt == 3 || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

// pgTxOnce runs fn in a transaction on a connection of its own, and returns
// the transaction's after-commit functions once it committed.
func (db *DB) pgTxOnce(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) ([]func(), error) {
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer conn.Close() // back to the pool
	t := &Tx{db: db, conn: conn}
	defer func() {
		if p := recover(); p != nil {
			t.rollback()
			panic(p)
		}
	}()
	if err := fn(context.WithValue(ctx, inTxKey{db}, true), t); err != nil {
		t.rollback()
		if t.err != nil {
			// What was sent ahead of a query failed: fn's error comes
			// from that query, refused because of it.
			return nil, t.err
		}
		return nil, err
	}
	if err := t.commit(ctx); err != nil {
		return nil, err
	}
	return t.wake, nil
}

// wakeLocal calls the functions of this process that Listen on channel
// (on SQLite, every commit already has).
func (db *DB) wakeLocal(channel string) {
	db.mu.Lock()
	fs := db.listeners[channel]
	db.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// retryable reports a transaction the server aborted to resolve a conflict
// with another: running it again can succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Listen calls f whenever a transaction committed on db may have written
// something channel's listeners care about. On SQLite: after every commit
// (one process owns the file, so its commits are all there are). On
// PostgreSQL: after every commit in this process whose transaction called
// Tx.Notify(channel), and on every NOTIFY on channel from another process,
// which a trigger of the tables concerned sends, plus once after each
// (re)connection for what was missed while away; behind a transaction
// pooler (Pooled), on this process's commits only. f must not block.
// Listening stops when db closes.
func (db *DB) Listen(channel string, f func()) {
	if db.dialect != Postgres {
		db.OnCommit(f)
		return
	}
	db.mu.Lock()
	if db.listeners == nil {
		db.listeners = map[string][]func(){}
	}
	db.listeners[channel] = append(db.listeners[channel], f)
	db.mu.Unlock()
	if db.pooled {
		// A transaction pooler hands an idle session no server connection
		// to hear NOTIFY on: other processes' commits wait for the
		// listeners' fallback polls.
		return
	}
	db.writerWG.Add(1)
	go func() {
		defer db.writerWG.Done()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-db.closing
			cancel()
		}()
		for ctx.Err() == nil {
			err := db.listenOnce(ctx, channel, f)
			if ctx.Err() != nil {
				return
			}
			_ = err // the fallback poll covers the gap; retry after a pause
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

func (db *DB) listenOnce(ctx context.Context, channel string, f func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pgConf)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	f() // whatever was committed while nobody listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		f()
	}
}
