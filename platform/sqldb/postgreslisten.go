package sqldb

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen is Listen on PostgreSQL: this process's commits that called
// Tx.Notify(channel) wake f directly (notify), and a connection of its own
// hears other processes' NOTIFY on channel, unless a transaction pooler
// stands between.
func (pg *postgres) listen(channel string, f func()) {
	pg.mu.Lock()
	if pg.listeners == nil {
		pg.listeners = map[string][]func(){}
	}
	pg.listeners[channel] = append(pg.listeners[channel], f)
	pg.mu.Unlock()
	if pg.pooled {
		// A transaction pooler hands an idle session no server connection
		// to hear NOTIFY on: other processes' commits wait for the
		// listeners' fallback polls.
		return
	}
	db := pg.db
	db.workers.Add(1)
	go func() {
		defer db.workers.Done()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-db.closing
			cancel()
		}()
		for ctx.Err() == nil {
			err := pg.listenOnce(ctx, channel, f)
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

func (pg *postgres) listenOnce(ctx context.Context, channel string, f func()) error {
	conn, err := pgx.ConnectConfig(ctx, pg.conf)
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

// notify wakes, once t commits, the functions of this process that Listen
// on channel: the NOTIFY of its own commits is not sent to it.
func (pg *postgres) notify(t *Tx, channel string) {
	t.AfterCommit(func() { pg.wakeLocal(channel) })
}

// wakeLocal calls the functions of this process that Listen on channel.
func (pg *postgres) wakeLocal(channel string) {
	pg.mu.Lock()
	fs := pg.listeners[channel]
	pg.mu.Unlock()
	for _, f := range fs {
		f()
	}
}
