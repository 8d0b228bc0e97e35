package messaging

import (
	"context"
	"sync/atomic"

	"example.com/modmono/platform/sqldb"
)

type committedKey struct{}

// TrackCommits returns ctx marked so that the outbox notes every event
// added under it, in a transaction that then commits; committed reports
// whether there was one. A function publishes right after such a commit,
// and spares the others the relay's round trips.
func TrackCommits(ctx context.Context) (_ context.Context, committed func() bool) {
	var flag atomic.Bool
	return context.WithValue(ctx, committedKey{}, &flag), flag.Load
}

// noteCommit has tx tell ctx's tracker, if any, once it commits.
func noteCommit(ctx context.Context, tx *sqldb.Tx) {
	if flag, ok := ctx.Value(committedKey{}).(*atomic.Bool); ok {
		tx.AfterCommit(func() { flag.Store(true) })
	}
}
