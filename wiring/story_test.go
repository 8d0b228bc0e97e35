package wiring_test

import (
	"slices"
	"testing"
	"time"
)

type notification struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	EventID   string    `json:"event_id"`
}

func (s *testServer) notifications(t *testing.T, token string) []notification {
	t.Helper()
	return allPages[notification](t, s, token, "/v1/notifications", 100)
}

func kinds(ns []notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Kind
	}
	return out
}

func count(ns []notification, kind string) int {
	n := 0
	for _, x := range ns {
		if x.Kind == kind {
			n++
		}
	}
	return n
}

// TestCrossModuleStory follows one user through every module, each step
// observed only through the API: the modules share no tables, so everything
// that crosses between them went through outbox, relay, bus and inbox.
func TestCrossModuleStory(t *testing.T) {
	crossModuleStory(t, startServer(t))
}

func crossModuleStory(t *testing.T, s *testServer) {
	u, token := s.signUp(t)

	// users → notifications: welcome
	eventually(t, "the welcome notification", func() bool {
		return count(s.notifications(t, token), "welcome") == 1
	})

	// users → orders: the address replica
	s.do(t, request{Method: "PUT", Path: "/v1/users/me/address", Token: token, Body: testAddress}).expect(t, 200)
	// Wait for it here, so the notifications' order below is fixed: the users
	// and orders relays run independently of each other.
	eventually(t, "the address_changed notification", func() bool {
		return count(s.notifications(t, token), "address_changed") == 1
	})
	body := map[string]any{"items": []map[string]any{{"sku": "BOOK", "quantity": 1, "unit_price_cents": 1999}}, "currency": "EUR"}
	var placed order
	eventually(t, "orders to know the address", func() bool {
		res := s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: body})
		if res.Status == 422 {
			return false // the replica has not caught up yet
		}
		res.expect(t, 201).decode(t, &placed)
		return true
	})
	if placed.ShippingAddress["line1"] != "1 Main St" || placed.ShippingAddress["country"] != "DE" {
		t.Fatalf("the order does not carry the replicated address: %v", placed.ShippingAddress)
	}
	second := s.placeOrder(t, token, body, nil) // stays open until the user is deleted

	// users, orders → notifications
	eventually(t, "address_changed and order_placed notifications", func() bool {
		ns := s.notifications(t, token)
		return count(ns, "address_changed") == 1 && count(ns, "order_placed") == 2
	})

	// orders → notifications: cancel
	s.do(t, request{Method: "POST", Path: "/v1/orders/" + placed.ID + "/cancel", Token: token}).expect(t, 200)
	eventually(t, "the order_cancelled notification", func() bool {
		return count(s.notifications(t, token), "order_cancelled") == 1
	})
	ns := s.notifications(t, token)
	if got := kinds(ns); !slices.Equal(got, []string{"order_cancelled", "order_placed", "order_placed", "address_changed", "welcome"}) {
		t.Fatalf("notifications, newest first: %v", got)
	}
	for _, n := range ns {
		if n.EventID == "" || n.Subject == "" || n.Body == "" {
			t.Fatalf("incomplete notification %+v", n)
		}
	}

	// users → orders, notifications: delete the account
	// The deleted user's token no longer reads anything, so the effects are
	// read from the modules' databases.
	s.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token}).expect(t, 204)
	ordersDB, notificationsDB := openModuleDB(t, s.Config, "orders"), openModuleDB(t, s.Config, "notifications")
	eventually(t, "the open order to be cancelled", func() bool {
		var status string
		err := ordersDB.Read.QueryRow(`SELECT status FROM orders WHERE id = $1`, second.ID).Scan(&status)
		return err == nil && status == "cancelled"
	})
	notificationsOf := func() int {
		var n int
		if err := notificationsDB.Read.QueryRow(`SELECT count(*) FROM notifications WHERE user_id = $1`, u.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	eventually(t, "the user's notifications to be gone", func() bool { return notificationsOf() == 0 })
	// The cancellation caused by the deletion must not bring a notification back.
	time.Sleep(200 * time.Millisecond)
	if n := notificationsOf(); n != 0 {
		t.Fatalf("%d notifications reappeared for deleted user %s", n, u.ID)
	}
	t.Run("a token issued before the deletion places no more orders", func(t *testing.T) {
		s.do(t, request{Method: "POST", Path: "/v1/orders", Token: token, Body: orderBody("late")}).expectProblem(t, 401)
	})
	t.Run("orders forgot the address", func(t *testing.T) {
		var n int
		err := openModuleDB(t, s.Config, "orders").Read.QueryRow(`SELECT count(*) FROM user_addresses WHERE user_id = $1`, u.ID).Scan(&n)
		if err != nil || n != 0 {
			t.Fatalf("%d addresses kept for the deleted user (%v)", n, err)
		}
	})
}

func TestNotificationsArePrivateAndPaginated(t *testing.T) {
	s := startServer(t)
	_, alice := s.signUp(t)
	_, bob := s.signUp(t)
	for i := 0; i < 4; i++ {
		s.placeOrder(t, alice, orderBody("A"), nil)
	}
	eventually(t, "alice's notifications", func() bool { return len(s.notifications(t, alice)) == 5 })
	eventually(t, "bob's welcome", func() bool { return len(s.notifications(t, bob)) == 1 })
	if k := kinds(s.notifications(t, bob)); !slices.Equal(k, []string{"welcome"}) {
		t.Fatalf("bob sees %v", k)
	}

	var ids []string
	for _, n := range allPages[notification](t, s, alice, "/v1/notifications", 2) {
		ids = append(ids, n.ID)
	}
	all := s.notifications(t, alice)
	if len(ids) != len(all) {
		t.Fatalf("paging saw %d notifications, there are %d", len(ids), len(all))
	}
	for i := range all {
		if ids[i] != all[i].ID {
			t.Fatalf("page order differs at %d", i)
		}
	}
	s.do(t, request{Method: "GET", Path: "/v1/notifications?cursor=bad!", Token: alice}).expectProblem(t, 400, "cursor")
}

func TestEveryNotificationIsHandedToTheSenderOnce(t *testing.T) {
	s := startServer(t, "LOG_LEVEL", "info")
	u, token := s.signUp(t)
	for i := 0; i < 3; i++ {
		s.placeOrder(t, token, orderBody("A"), nil)
	}
	eventually(t, "four notifications", func() bool { return len(s.notifications(t, token)) == 4 })
	for _, n := range s.notifications(t, token) {
		eventually(t, "notification "+n.ID+" to be sent", func() bool {
			return len(s.logs.matching(`"msg":"notification sent"`, n.ID)) > 0
		})
		if got := len(s.logs.matching(`"msg":"notification sent"`, n.ID)); got != 1 {
			t.Errorf("notification %s sent %d times", n.ID, got)
		}
	}
	// The log names notifications by id and kind, never the person.
	for _, personal := range []string{u.Email, u.Name, "Welcome, "} {
		if lines := s.logs.matching(personal); len(lines) != 0 {
			t.Errorf("the log carries %q: %s", personal, lines[0])
		}
	}
}
