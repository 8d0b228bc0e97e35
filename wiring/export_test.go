package wiring

import (
	"slices"
	"testing"

	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/settings"
)

// AddModule appends a module defined in test code to the catalog, as a
// line of wiring.go's catalog would, for the duration of t: the way to
// prove that a module needs nothing but that line (and its injector, which
// a test module replaces with modular.Build, what its injector would
// generate). The production catalog is the one in wiring.go. Tests in this
// package do not run in parallel, so swapping the catalog is safe.
func AddModule[C any](t testing.TB, name string, vars []settings.Setting, load func(*settings.Parser) C,
	build func(*modular.Host, C) (modular.Module, func(), error)) {
	t.Helper()
	saved, names := catalog, Modules
	catalog = append(slices.Clone(catalog), moduleOf(name, vars, load, build))
	Modules = moduleNames()
	t.Cleanup(func() { catalog, Modules = saved, names })
}
