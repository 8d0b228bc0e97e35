package users

import (
	"github.com/google/wire"

	"example.com/modmono/platform/modular"
)

// Providers is the module's google/wire provider set: the wiring's
// injectors build users from a modular.Host and a Config through it.
var Providers = wire.NewSet(Provide)

// Provide opens the module's database on host and builds the module on it.
func Provide(host *modular.Host, cfg Config) (*Module, func(), error) {
	return modular.Build(host, Name, cfg, New)
}
