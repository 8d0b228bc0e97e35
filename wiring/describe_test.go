package wiring_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"example.com/modmono/platform/settings"
	"example.com/modmono/wiring"
)

// describeSystem describes the catalog with the repository's
// serverless.yml.
func describeSystem(t *testing.T) wiring.System {
	t.Helper()
	yml, err := os.ReadFile("../serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	sys, err := wiring.Describe(context.Background(), wiring.DescribeOptions{Serverless: yml})
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

func moduleInfo(t *testing.T, sys wiring.System, name string) wiring.ModuleInfo {
	t.Helper()
	for _, m := range sys.Modules {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no module %s in %v", name, sys.Modules)
	return wiring.ModuleInfo{}
}

func topicInfo(t *testing.T, sys wiring.System, name string) wiring.Topic {
	t.Helper()
	for _, tp := range sys.Topics {
		if tp.Name == name {
			return tp
		}
	}
	t.Fatalf("no topic %s", name)
	return wiring.Topic{}
}

// TestDescribeTellsWhatTheCodeIs holds the description to facts the code
// states elsewhere: the catalog's order, orders' routes and their
// operations, its tables, what it publishes and who consumes it with the
// schema's fields, its settings and its functions in serverless.yml.
func TestDescribeTellsWhatTheCodeIs(t *testing.T) {
	sys := describeSystem(t)
	var names []string
	for _, m := range sys.Modules {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, wiring.Modules) {
		t.Errorf("modules %v, want the catalog's %v", names, wiring.Modules)
	}
	for _, m := range sys.Modules {
		for _, r := range m.Routes {
			if r.OperationID == "" || r.Summary == "" {
				t.Errorf("%s: %s %s has no operation in its OpenAPI fragment", m.Name, r.Method, r.Path)
			}
		}
	}
	for _, tp := range sys.Topics {
		if tp.Producer == "" || len(tp.Fields) == 0 {
			t.Errorf("%s: consumed, but no module's contracts publish it (does its module show them, Contracts()?)", tp.Name)
		}
	}
	orders := moduleInfo(t, sys, "orders")
	if !slices.Contains(orders.Routes, wiring.Route{Method: "GET", Path: "/v1/orders/{id}", OperationID: "getOrder", Summary: "One of the user's orders."}) {
		t.Errorf("orders' routes: %+v", orders.Routes)
	}
	if !slices.Equal(orders.Publishes, []string{"orders.OrderCancelled.v1", "orders.OrderPlaced.v1"}) ||
		!slices.Equal(orders.Consumes, []string{"users.UserAddressUpdated.v1", "users.UserDeleted.v1"}) {
		t.Errorf("orders publishes %v, consumes %v", orders.Publishes, orders.Consumes)
	}
	placed := topicInfo(t, sys, "orders.OrderPlaced.v1")
	if placed.Producer != "orders" || placed.Event != "OrderPlaced" || placed.Version != 1 || !slices.Equal(placed.Consumers, []string{"notifications"}) {
		t.Errorf("orders.OrderPlaced.v1: %+v", placed)
	}
	for _, f := range []wiring.Field{
		{Path: "order_id", Type: "string", Required: true},
		{Path: "items[].quantity", Type: "integer", Required: true},
		{Path: "shipping_address.line2", Type: "string"},
		{Path: "placed_at", Type: "string (date-time)", Required: true},
	} {
		if !slices.Contains(placed.Fields, f) {
			t.Errorf("orders.OrderPlaced.v1 lacks field %+v: %+v", f, placed.Fields)
		}
	}
	if placed.Fields[0].Path != "order_id" {
		t.Errorf("fields not in the schema's order: %+v", placed.Fields)
	}
	if !slices.Contains(sys.Flows, wiring.Flow{From: "users", To: "orders", Topic: "users.UserDeleted.v1"}) {
		t.Errorf("flows: %+v", sys.Flows)
	}
	checkOrdersTables(t, orders, sys.PlatformTables)
	checkOrdersDeployment(t, orders)
}

func checkOrdersTables(t *testing.T, orders wiring.ModuleInfo, platform []wiring.Table) {
	t.Helper()
	var tables []string
	for _, tb := range orders.Tables {
		tables = append(tables, tb.Name)
		if tb.Name == "orders" && !slices.Contains(tb.Columns, wiring.Column{Name: "seq", Type: "INTEGER", PrimaryKey: true}) {
			t.Errorf("orders' columns: %+v", tb.Columns)
		}
	}
	if !slices.Contains(tables, "orders") || !slices.Contains(tables, "user_addresses") || slices.Contains(tables, "schema_version") {
		t.Errorf("orders' tables: %v", tables)
	}
	if len(platform) == 0 || slices.ContainsFunc(orders.Tables, func(tb wiring.Table) bool { return tb.Name == platform[0].Name }) {
		t.Errorf("platform tables %v, listed among orders' own too", platform)
	}
}

func checkOrdersDeployment(t *testing.T, orders wiring.ModuleInfo) {
	t.Helper()
	if !slices.ContainsFunc(orders.Settings, func(s settings.Setting) bool { return s.Name == "ORDER_MAX_ITEMS" && s.Default == "100" }) ||
		orders.Settings[len(orders.Settings)-1].Name != "ORDERS_DATABASE_URL" {
		t.Errorf("orders' settings: %+v", orders.Settings)
	}
	var fns []string
	for _, f := range orders.Functions {
		fns = append(fns, f.Name)
		if f.Name == "orders-http" && !slices.Contains(f.Triggers, "httpApi POST /v1/orders/{id}/cancel") {
			t.Errorf("orders-http's triggers: %v", f.Triggers)
		}
		if f.Name == "orders-events" && !slices.Equal(f.Triggers, []string{"sqs OrdersEventsQueue"}) {
			t.Errorf("orders-events' triggers: %v", f.Triggers)
		}
	}
	if !slices.Equal(fns, []string{"orders-events", "orders-http", "orders-relay"}) {
		t.Errorf("orders' functions: %v", fns)
	}
}

// A module added to the catalog is described like the others: its routes,
// tables, settings and contracts are found without naming it anywhere but
// in its catalog line.
func TestDescribeIncludesAModuleAddedToTheCatalog(t *testing.T) {
	wiring.AddModule(t, rewardsName, rewardsSettings, loadRewardsConfig, buildRewards)
	sys, err := wiring.Describe(context.Background(), wiring.DescribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rewards := moduleInfo(t, sys, rewardsName)
	if !slices.Equal(rewards.Routes, []wiring.Route{
		{Method: "GET", Path: "/v1/rewards/me", OperationID: "getRewards", Summary: "The user's points and awards."},
		{Method: "POST", Path: "/v1/rewards/me/awards", OperationID: "awardPoints", Summary: "Awards the user REWARDS_POINTS points."},
	}) {
		t.Errorf("rewards' routes: %+v", rewards.Routes)
	}
	if len(rewards.Tables) != 2 || rewards.Tables[0].Name != "awards" || rewards.Tables[1].Name != "members" ||
		!slices.Contains(rewards.Tables[1].Columns, wiring.Column{Name: "email", Type: "TEXT", NotNull: true}) {
		t.Errorf("rewards' tables: %+v", rewards.Tables)
	}
	if !slices.Equal(rewards.Publishes, []string{topicPointsAwarded}) ||
		!slices.Equal(rewards.Consumes, []string{topicPointsAwarded, "users.UserRegistered.v1"}) {
		t.Errorf("rewards publishes %v, consumes %v", rewards.Publishes, rewards.Consumes)
	}
	if len(rewards.Settings) != 2 || rewards.Settings[0].Name != "REWARDS_POINTS" || rewards.Settings[1].Name != "REWARDS_DATABASE_URL" {
		t.Errorf("rewards' settings: %+v", rewards.Settings)
	}
	awarded := topicInfo(t, sys, topicPointsAwarded)
	if awarded.Producer != rewardsName || !slices.Equal(awarded.Consumers, []string{rewardsName}) || !slices.Equal(awarded.Fields, []wiring.Field{
		{Path: "user_id", Type: "string", Required: true}, {Path: "points", Type: "integer", Required: true},
	}) {
		t.Errorf("%s: %+v", topicPointsAwarded, awarded)
	}
	if c := topicInfo(t, sys, "users.UserRegistered.v1").Consumers; !slices.Contains(c, rewardsName) || !slices.Contains(c, "notifications") {
		t.Errorf("users.UserRegistered.v1 consumed by %v", c)
	}
}

// serverless.yml and the catalog must agree: a function of no module, or
// a file that is no YAML, is an error naming it.
func TestDescribeRefusesAServerlessFileOfNoModule(t *testing.T) {
	for yml, want := range map[string]string{
		"functions:\n  billing-http:\n    environment: {APP_MODULE: billing}\n": `function billing-http: APP_MODULE "billing"`,
		"functions:\n  orders-http:\n    handler: bootstrap\n":                  `function orders-http: APP_MODULE ""`,
		"functions: [\n": "serverless.yml: ",
	} {
		_, err := wiring.Describe(context.Background(), wiring.DescribeOptions{Serverless: []byte(yml)})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", yml, err, want)
		}
	}
}
