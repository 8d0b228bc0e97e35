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
)

// catalog is the one list of modules, in start order: each module's name
// and the injector (wire.go) that builds it from its provider set. A new
// module is a line here and an injector there.
var catalog = []struct {
	name  string
	build func(*modular.Host, Config) (modular.Module, func(), error)
}{
	{users.Name, buildUsers},
	{orders.Name, buildOrders},
	{notifications.Name, buildNotifications},
}

// Modules names the modules of the catalog, in order.
var Modules = func() []string {
	names := make([]string, len(catalog))
	for i, c := range catalog {
		names[i] = c.name
	}
	return names
}()

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
		m, closeModule, err := c.build(host, cfg)
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
			return c.build(host, cfg)
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
