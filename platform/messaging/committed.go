package messaging

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

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

// CommitObserver learns of each event an outbox stores under a context of
// ObserveCommits, once the transaction that stored it has committed: a
// development dashboard's live view of events as they are committed.
type CommitObserver interface {
	EventCommitted(msg *message.Message, at time.Time)
}

type commitObserverKey struct{}

// ObserveCommits returns ctx, under which every event an outbox stores is
// told to o once its transaction commits. Without it, nothing is told.
func ObserveCommits(ctx context.Context, o CommitObserver) context.Context {
	return context.WithValue(ctx, commitObserverKey{}, o)
}

// noteCommit has tx tell ctx's tracker and commit observer, if any, of
// msg once it commits.
func noteCommit(ctx context.Context, tx *sqldb.Tx, msg *message.Message) {
	if flag, ok := ctx.Value(committedKey{}).(*atomic.Bool); ok {
		tx.AfterCommit(func() { flag.Store(true) })
	}
	if o, ok := ctx.Value(commitObserverKey{}).(CommitObserver); ok {
		tx.AfterCommit(func() { o.EventCommitted(msg, time.Now()) })
	}
}
