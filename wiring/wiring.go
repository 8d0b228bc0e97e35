// Package wiring assembles the modules and the platform into a runnable
// system: the server (server.go), or one module as a function (function.go)
// under AWS Lambda (lambda.go) or Google Cloud Functions (gcf.go). This file
// holds the catalog of modules; the injectors live in wire.go, and
// wire_gen.go is generated from it by `make generate` and committed.
package wiring

import (
	"fmt"
	"slices"
	"strings"

	"example.com/modmono/modules/notifications"
	"example.com/modmono/modules/orders"
	"example.com/modmono/modules/users"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/settings"
)

// catalog is the one list of modules, in start order: each module's name,
// its settings, and the injector (wire.go) that builds it from its provider
// set. A new module is a line here and an injector there.
var catalog = []module{
	moduleOf(users.Name, users.Settings, users.LoadConfig, buildUsers),
	moduleOf(orders.Name, orders.Settings, orders.LoadConfig, buildOrders),
	moduleOf(notifications.Name, notifications.Settings, notifications.LoadConfig, buildNotifications),
}

// module is one entry of the catalog, its Config type erased: load reads
// the module's Config from its settings, build builds the module from it.
type module struct {
	name     string
	settings []settings.Setting
	load     func(*settings.Parser) any
	build    func(*modular.Host, any) (modular.Module, func(), error)
}

// moduleOf makes a catalog entry of a module whose Config is C: its name,
// the settings it documents, the function that reads them, and its
// injector.
func moduleOf[C any](name string, vars []settings.Setting, load func(*settings.Parser) C,
	build func(*modular.Host, C) (modular.Module, func(), error)) module {
	return module{
		name:     name,
		settings: vars,
		load:     func(p *settings.Parser) any { return load(p) },
		build: func(host *modular.Host, cfg any) (modular.Module, func(), error) {
			c, ok := cfg.(C)
			if !ok {
				return nil, nil, fmt.Errorf("module %s: its configuration is a %T, not a %T", name, cfg, c)
			}
			return build(host, c)
		},
	}
}

// Modules names the modules of the catalog, in order.
var Modules = moduleNames()

func moduleNames() []string {
	names := make([]string, len(catalog))
	for i, c := range catalog {
		names[i] = c.name
	}
	return names
}

// ModuleSettings lists each module's own settings, by module name: the
// variables its LoadConfig reads, with their defaults and meaning.
func ModuleSettings() map[string][]settings.Setting {
	out := make(map[string][]settings.Setting, len(catalog))
	for _, c := range catalog {
		out[c.name] = slices.Clone(c.settings)
	}
	return out
}

// loadModuleConfigs asks every module of the catalog to read its own
// settings through p.
func loadModuleConfigs(p *settings.Parser) map[string]any {
	configs := make(map[string]any, len(catalog))
	for _, c := range catalog {
		configs[c.name] = c.load(p)
	}
	return configs
}

// configOf is the module's Config in cfg; a Config not made by LoadConfig
// (or missing the module) gets the module's defaults.
func (c module) configOf(cfg Config) any {
	if mc, ok := cfg.ModuleConfigs[c.name]; ok {
		return mc
	}
	return c.load(settings.New(func(string) string { return "" }))
}

// ModuleName names the one module a function wires.
type ModuleName string

// provideModules builds every module of the catalog.
func provideModules(host *modular.Host, cfg Config) ([]modular.Module, func(), error) {
	var all []modular.Module
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	for _, c := range catalog {
		m, closeModule, err := c.build(host, c.configOf(cfg))
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		all, cleanups = append(all, m), append(cleanups, closeModule)
	}
	return all, cleanup, nil
}

// provideModule builds the module named name alone: only its database is
// opened.
func provideModule(host *modular.Host, cfg Config, name ModuleName) (modular.Module, func(), error) {
	for _, c := range catalog {
		if c.name == string(name) {
			return c.build(host, c.configOf(cfg))
		}
	}
	return nil, nil, unknownModule(string(name))
}

// unknownModule says that name is no module of the catalog, or is nil.
func unknownModule(name string) error {
	if slices.Contains(Modules, name) {
		return nil
	}
	return fmt.Errorf("no module %q; the modules are %s", name, strings.Join(Modules, ", "))
}
