package notifications_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// sent is a Sender that records the ids it was handed.
type sent struct {
	mu  sync.Mutex
	ids []string
}

func (s *sent) Send(_ context.Context, n notifications.Notification) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, n.ID)
	return nil
}

func (s *sent) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}

// A database whose Sender kept its own cursor (dispatch_cursor) upgrades
// to the Sender that follows the table through the platform: what was sent
// before is not sent again, and what was stored and unsent is sent, in
// order.
func TestNotificationsStoredBeforeTheUpgradeAreSentOnceAfterIt(t *testing.T) {
	for _, engine := range sqldbtest.Engines {
		t.Run(string(engine), func(t *testing.T) { testUpgrade(t, engine) })
	}
}

func testUpgrade(t *testing.T, engine sqldb.Dialect) {
	ctx := context.Background()
	db := sqldbtest.Open(t, engine, "notifications", messaging.Schema()...)
	own := migrations.Of(notifications.Name)
	dialect, files, before := goose.DialectSQLite3, own.SQLite, int64(4)
	if engine == sqldb.Postgres {
		dialect, files, before = goose.DialectPostgres, own.Postgres, 1
	}
	p, err := goose.NewProvider(dialect, db.Write, files, goose.WithTableName(own.Table), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, before); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 4 {
		id := fmt.Sprintf("n%d", i)
		ids = append(ids, id)
		if _, err := db.Write.Exec(`INSERT INTO notifications (id, user_id, kind, subject, body, event_id, created_at)
VALUES ($1, 'u1', 'welcome', 's', 'b', $1, '2026-11-22T10:00:00.000000000Z')`, id); err != nil {
			t.Fatal(err)
		}
	}
	// The old Sender had sent the first two, and held its lease when stopped.
	if _, err := db.Write.Exec(`INSERT INTO dispatch_cursor (id, sent_xid, sent_through, owner, lease_until)
SELECT 1, xid, seq, 'old', $1 FROM notifications WHERE id = 'n1'`, time.Now().Add(time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, own); err != nil {
		t.Fatal(err)
	}

	s := &sent{}
	m, err := notifications.New(modular.Deps{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		notifications.Config{Sender: s})
	if err != nil {
		t.Fatal(err)
	}
	run(t, m)
	within(t, 10*time.Second, "the unsent notifications sent", func() bool { return len(s.list()) >= 2 })
	time.Sleep(100 * time.Millisecond) // room for a repeat to show
	if got := s.list(); !slices.Equal(got, ids[2:]) {
		t.Errorf("after the upgrade the Sender got %v, want %v", got, ids[2:])
	}
}
