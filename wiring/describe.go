package wiring

import (
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"

	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/settings"
)

// System describes the modules of the catalog as the code builds them:
// what `modmono docs` writes to docs/modules.md and what a dashboard
// draws. Every list is sorted (modules in catalog order), so the same code
// gives the same description.
type System struct {
	// Modules are the catalog's modules, in start order.
	Modules []ModuleInfo
	// Topics are every topic a module publishes or consumes, by name.
	Topics []Topic
	// Flows are the edges of the event graph: one per topic and consumer.
	Flows []Flow
	// PlatformTables are the tables every module database carries besides
	// its own: the platform's (messaging's outbox and inbox, sqldb's write
	// probe).
	PlatformTables []Table
}

// ModuleInfo is one module: what it serves, stores, publishes, consumes,
// reads from the environment and deploys as.
type ModuleInfo struct {
	Name string
	// Routes are the endpoints the module registers on Echo, by path and
	// method, with their operation in its OpenAPI fragment.
	Routes []Route
	// Tables are the tables of the module's own migrated schema (on
	// SQLite), without the platform's and the migration bookkeeping.
	Tables []Table
	// Publishes names the topics of the module's event contracts.
	Publishes []string
	// Consumes names the topics the module's handlers consume.
	Consumes []string
	// Settings are the environment variables the module reads, its
	// database's variable last.
	Settings []settings.Setting
	// Functions are the module's functions in serverless.yml (none when
	// Describe is given no serverless.yml).
	Functions []ServerlessFunction
}

// Route is one HTTP endpoint. Path is in OpenAPI's form (/v1/orders/{id}).
type Route struct {
	Method, Path string
	// OperationID and Summary come from the module's OpenAPI fragment;
	// both are empty when it does not document the route.
	OperationID, Summary string
}

// Topic is one event type on the bus.
type Topic struct {
	// Name is the versioned topic, e.g. "orders.OrderPlaced.v1".
	Name string
	// Event and Version are what Name is made of: "OrderPlaced", 1.
	Event   string
	Version int
	// Producer is the module whose event contracts publish the topic; ""
	// when none does.
	Producer string
	// Consumers are the modules that handle it, sorted.
	Consumers []string
	// Description is the schema's description of the event.
	Description string
	// Fields are the payload's fields, from the topic's JSON Schema, in the
	// schema's order, nested ones after their parent.
	Fields []Field
}

// Field is one property of an event's payload.
type Field struct {
	// Path names the field: "order_id", "shipping_address.city",
	// "items[].sku".
	Path string
	// Type is the JSON Schema type ("string", "integer", "array" …), with
	// the format when there is one ("string (date-time)").
	Type     string
	Required bool
}

// Flow is one edge of the event graph: From publishes Topic, To consumes it.
type Flow struct {
	From, To, Topic string
}

// Table is a database table with its columns, in declaration order.
type Table struct {
	Name    string
	Columns []Column
}

// Column is one column of a table as SQLite reports it.
type Column struct {
	Name, Type string
	NotNull    bool
	PrimaryKey bool
}

// ServerlessFunction is one function of serverless.yml.
type ServerlessFunction struct {
	Name string
	// Triggers say what invokes it: "httpApi POST /v1/orders",
	// "sqs OrdersEventsQueue", "schedule ${param:relaySchedule}".
	Triggers []string
}

// DescribeOptions are what Describe reads besides the binary.
type DescribeOptions struct {
	// Serverless is the text of serverless.yml; nil leaves the modules'
	// Functions empty.
	Serverless []byte
	// Config is the configuration the modules are built with: a running
	// server's, so that describing costs what the server's settings say (a
	// password hash at its BCRYPT_COST, say). The zero Config builds each
	// module on its zero settings, as `modmono docs` does.
	Config Config
}

// contracted is a module that publishes events: Contracts is its events
// package's Contracts, the schemas/<topic>.json and asyncapi.json of each
// topic it publishes. A module without them publishes nothing.
type contracted interface {
	Contracts() fs.FS
}

// Describe builds every module of the catalog on its defaults, on
// throwaway SQLite databases it migrates and removes, and describes what
// they are: routes from Echo and the OpenAPI fragments, tables from the
// migrated schemas, topics from the event contracts and the handlers,
// settings from the catalog, functions from opts.Serverless.
func Describe(ctx context.Context, opts DescribeOptions) (System, error) {
	dir, err := os.MkdirTemp("", "modmono-describe-")
	if err != nil {
		return System{}, err
	}
	defer os.RemoveAll(dir)
	host, err := describeHost(dir)
	if err != nil {
		return System{}, err
	}
	var sys System
	if sys.PlatformTables, err = platformTables(ctx, host, dir); err != nil {
		return System{}, err
	}
	contracts := map[string]fs.FS{}
	for _, c := range catalog {
		info, cs, err := describeModule(ctx, host, c, opts.Config, sys.PlatformTables)
		if err != nil {
			return System{}, fmt.Errorf("describe %s: %w", c.name, err)
		}
		sys.Modules, contracts[c.name] = append(sys.Modules, info), cs
	}
	if sys.Topics, err = describeTopics(sys.Modules, contracts); err != nil {
		return System{}, err
	}
	sys.Flows = flows(sys.Topics)
	if opts.Serverless != nil {
		if err := addFunctions(&sys, opts.Serverless); err != nil {
			return System{}, fmt.Errorf("serverless.yml: %w", err)
		}
	}
	return sys, nil
}

// describeHost is a host on SQLite files in dir, with a throwaway token
// secret and the event keys a local server generates.
func describeHost(dir string) (*modular.Host, error) {
	vars := map[string]string{"DATA_DIR": dir, "JWT_SECRET": rand.Text() + rand.Text()}
	cfg, err := LoadConfig(func(name string) string { return vars[name] })
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	tokens, err := provideTokens(cfg, logger)
	if err != nil {
		return nil, err
	}
	keys, err := provideEventKeys(cfg, logger)
	if err != nil {
		return nil, err
	}
	return provideHost(cfg, logger, tokens, keys)
}

// describeModule builds c on host, configured by cfg, and describes it; it returns the
// module's event contracts too (nil when it has none).
func describeModule(ctx context.Context, host *modular.Host, c module, cfg Config, platform []Table) (ModuleInfo, fs.FS, error) {
	m, cleanup, err := c.build(host, c.configOf(cfg))
	if err != nil {
		return ModuleInfo{}, nil, err
	}
	defer cleanup()
	info := ModuleInfo{Name: c.name, Settings: moduleSettings(c)}
	if info.Routes, err = routes(m); err != nil {
		return ModuleInfo{}, nil, err
	}
	if info.Tables, err = ownTables(ctx, host, m, platform); err != nil {
		return ModuleInfo{}, nil, err
	}
	for _, h := range m.Handlers() {
		if !slices.Contains(info.Consumes, h.Topic) {
			info.Consumes = append(info.Consumes, h.Topic)
		}
	}
	slices.Sort(info.Consumes)
	var contracts fs.FS
	if cm, ok := m.(contracted); ok {
		contracts = cm.Contracts()
		if info.Publishes, err = publishedTopics(contracts); err != nil {
			return ModuleInfo{}, nil, err
		}
	}
	return info, contracts, nil
}

// moduleSettings are c's own settings and its database's variable.
func moduleSettings(c module) []settings.Setting {
	return append(slices.Clone(c.settings), settings.Setting{
		Name:    DatabaseVariable(c.name),
		Default: "DATABASE_URL, else <DATA_DIR>/" + c.name + ".db",
		Meaning: "the PostgreSQL database (a schema named " + c.name + ") of this module alone",
		Secret:  true,
	})
}
