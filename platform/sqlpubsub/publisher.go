package sqlpubsub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"example.com/modmono/platform/sqldb"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Executor is what a Publisher writes through: a *sql.DB, a *sql.Tx or a
// *sqldb.Tx.
type Executor interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Publisher inserts messages into pubsub_messages.
//
// Built on a *sql.Tx, the messages become visible when that transaction
// commits and vanish if it rolls back: that is the transactional outbox.
type Publisher struct {
	exec   Executor
	signal *Signal
	closed atomic.Bool
}

// NewPublisher returns a Publisher writing through exec. When exec is a
// *sql.DB, signal (which may be nil) is notified after each publish. On a
// *sqldb.Tx, the subscribers listening on the database in this process are
// woken once it commits (sqldb.DB.Listen); on a *sql.Tx the caller
// notifies after commit.
func NewPublisher(exec Executor, signal *Signal) *Publisher {
	return &Publisher{exec: exec, signal: signal}
}

const insertMessage = `INSERT INTO pubsub_messages (topic, uuid, payload, metadata, created_at) VALUES ($1, $2, $3, $4, $5)`

// Publish stores messages on topic. With a *sql.DB they are stored atomically.
func (p *Publisher) Publish(topic string, messages ...*message.Message) error {
	if p.closed.Load() {
		return errors.New("sqlpubsub: publisher closed")
	}
	if topic == "" {
		return errors.New("sqlpubsub: empty topic")
	}
	ctx := context.Background()
	if db, ok := p.exec.(*sql.DB); ok {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlpubsub: begin: %w", err)
		}
		if err := insertAll(ctx, tx, topic, messages); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlpubsub: commit: %w", err)
		}
		p.signal.Notify()
		return nil
	}
	if err := insertAll(ctx, p.exec, topic, messages); err != nil {
		return err
	}
	if tx, ok := p.exec.(*sqldb.Tx); ok {
		tx.Notify(Channel(tx.Schema()))
	}
	return nil
}

func insertAll(ctx context.Context, exec Executor, topic string, messages []*message.Message) error {
	now := sqldb.Time(time.Now())
	for _, msg := range messages {
		md, err := json.Marshal(msg.Metadata)
		if err != nil {
			return fmt.Errorf("sqlpubsub: metadata of %s: %w", msg.UUID, err)
		}
		payload := msg.Payload
		if payload == nil {
			payload = []byte{}
		}
		// In a *sqldb.Tx, the insert travels with the transaction's next
		// statement or its COMMIT: an outbox write costs no round trip.
		if err := sqldb.ExecLater(ctx, exec, insertMessage, topic, msg.UUID, payload, string(md), now); err != nil {
			return fmt.Errorf("sqlpubsub: insert %s: %w", msg.UUID, err)
		}
	}
	return nil
}

// Close makes later Publish calls fail. It does not close the database.
func (p *Publisher) Close() error {
	p.closed.Store(true)
	return nil
}
