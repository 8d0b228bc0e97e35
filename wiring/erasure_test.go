package wiring_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqldb/sqldbtest"
)

// A user who deletes their account leaves nothing that names or locates
// them: not in any table of any module database (its rows, its outbox, its
// poison queue), not in the bytes of the SQLite files, not in the log.
// What stays is their id, in tombstones and in the orders kept for the
// books, whose addresses keep only the country.
func TestADeletedUserLeavesNoTraceInTheDatabasesTheirFilesOrTheLog(t *testing.T) {
	s := startServer(t, "CONSUMER_MAX_RETRIES", "1", "LOG_LEVEL", "debug")
	modules := []string{"users", "orders", "notifications"}
	tag := fmt.Sprint(time.Now().UnixNano())
	email, name := "erasure-"+tag+"@example.com", "Erasmus Forgotten-"+tag
	home := map[string]string{"line1": "221 Vanishing Lane", "line2": "Attic Flat", "city": "Forgetham", "postal_code": "FG1 7ZZ", "country": "GB"}
	elsewhere := map[string]string{"line1": "17 Elsewhere Row", "city": "Hideaway Cove", "postal_code": "HC9 4QQ", "country": "GB"}
	poisonedHome := map[string]string{"line1": "4 Poisoned Passage", "city": "Toxicbury", "postal_code": "TX3 3XT", "country": "GB"}
	poisonedOrder := map[string]string{"line1": "9 Malady Mews", "city": "Sickleton", "postal_code": "SK5 5KS", "country": "GB"}
	secrets := []string{email, name}
	for _, a := range []map[string]string{home, elsewhere, poisonedHome, poisonedOrder} {
		for _, k := range []string{"line1", "line2", "city", "postal_code"} {
			if a[k] != "" {
				secrets = append(secrets, a[k])
			}
		}
	}
	dbs := map[string]*sqldb.DB{}
	for _, m := range modules {
		dbs[m] = openModuleDB(t, s.Config, m)
	}

	s.do(t, request{Method: "POST", Path: "/v1/users", Body: map[string]string{
		"email": email, "password": "password123", "name": name}}).expect(t, 201)
	token := s.login(t, email, "password123")
	s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: home}).expect(t, 200)
	items := []map[string]any{{"sku": "BOOK", "quantity": 1, "unit_price_cents": 1999}}
	eventually(t, "orders to know the address", func() bool {
		res := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Header: map[string]string{"Idempotency-Key": "replica-" + tag},
			Body: map[string]any{"items": items, "currency": "EUR"}})
		return res.Status == 201 // 422 until the replica caught up
	})
	kept := s.placeOrder(t, token, map[string]any{"items": items, "currency": "EUR", "shipping_address": elsewhere},
		map[string]string{"Idempotency-Key": "elsewhere-" + tag})
	eventually(t, "the welcome, address_changed and order_placed notifications", func() bool {
		ns := s.notifications(t, token)
		return count(ns, "welcome") == 1 && count(ns, "address_changed") == 1 && count(ns, "order_placed") == 2
	})

	// An address update that orders gives up on, and an order that
	// notifications gives up on: both wait in a poison queue, holding the
	// user's address.
	poisonWhile(t, dbs["orders"], "user_addresses", func() {
		s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: poisonedHome}).expect(t, 200)
	})
	poisonWhile(t, dbs["notifications"], "notifications", func() {
		s.placeOrder(t, token, map[string]any{"items": items, "currency": "EUR", "shipping_address": poisonedOrder}, nil)
	})
	// What the relays have not passed yet is deleted once they have, at
	// their next prune (every minute), which this test does not wait for.
	for _, m := range []string{"users", "orders"} {
		eventually(t, m+"'s events to be relayed", func() bool {
			st, err := messaging.OutboxBacklog(context.Background(), dbs[m])
			return err == nil && st.Backlog == 0
		})
	}

	if db := dbs["users"]; db.Dialect() == sqldb.SQLite && len(sqldbtest.Holding(fileBytes(t, db.Path(), db.Path()+"-wal"), email)) == 0 {
		t.Fatal("the users database's files do not hold the e-mail before the deletion: the check of the files below proves nothing")
	}
	s.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token}).expect(t, 204)
	for _, path := range []string{"/v1/orders", "/v1/notifications"} {
		eventually(t, "the deletion to be applied behind "+path, func() bool {
			return s.do(t, request{Method: "GET", Path: path, Token: token}).Status == 401
		})
	}

	for _, m := range modules {
		if traces := sqldbtest.Traces(t, dbs[m], secrets...); len(traces) != 0 {
			t.Errorf("%s still holds the deleted user's data: %q", m, traces)
		}
	}
	var country string
	if err := dbs["orders"].Read.QueryRow(`SELECT shipping_address FROM orders WHERE id = $1`, kept.ID).Scan(&country); err != nil ||
		!strings.Contains(country, `"country":"GB"`) {
		t.Errorf("the kept order's address is %s (%v), want its country kept", country, err)
	}
	for _, m := range modules {
		if dbs[m].Dialect() != sqldb.SQLite {
			continue // PostgreSQL keeps dead rows until VACUUM: its files are the server's
		}
		for _, f := range checkpointedFiles(t, dbs[m]) {
			if found := sqldbtest.Holding(fileBytes(t, f), secrets...); len(found) != 0 {
				t.Errorf("%s still holds the bytes of %q", f, found)
			}
		}
	}
	if found := sqldbtest.Holding([]byte(strings.Join(s.logs.matching(), "\n")), secrets...); len(found) != 0 {
		t.Errorf("the log holds %q", found)
	}
}

// poisonWhile makes the module of db give up on the event that do causes, by
// hiding table from its handler until the event is in its poison queue.
func poisonWhile(t *testing.T, db *sqldb.DB, table string, do func()) {
	t.Helper()
	ctx := context.Background()
	before, err := messaging.PoisonCount(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, db.Write, `ALTER TABLE `+table+` RENAME TO `+table+`_hidden`)
	do()
	eventually(t, "an event poisoned in place of "+table, func() bool {
		n, err := messaging.PoisonCount(ctx, db)
		return err == nil && n == before+1
	})
	execSQL(t, db.Write, `ALTER TABLE `+table+`_hidden RENAME TO `+table)
}

// checkpointedFiles copies the whole WAL of SQLite database db into its
// file and empties the WAL, then returns the files that hold the database.
func checkpointedFiles(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	within(t, 10*time.Second, "a complete checkpoint of "+db.Path(), func() bool {
		var busy, frames, done int
		err := db.Write.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done)
		return err == nil && busy == 0 && frames == 0
	})
	return []string{db.Path(), db.Path() + "-wal", db.Path() + "-shm"}
}

// fileBytes returns the bytes of files, one after the other; a file that
// does not exist has none.
func fileBytes(t *testing.T, files ...string) []byte {
	t.Helper()
	var all []byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, raw...)
	}
	return all
}
