//go:build wireinject

package wiring

import (
	"log/slog"

	"github.com/google/wire"

	"example.com/modmono/modules/notifications"
	"example.com/modmono/modules/orders"
	"example.com/modmono/modules/users"
	"example.com/modmono/platform/metrics"
	"example.com/modmono/platform/modular"
)

// hostSet builds what every module is built on: the host with the data
// directory, the token verifier and the logger.
var hostSet = wire.NewSet(provideTokens, provideEventKeys, provideHost)

// InitializeServer builds the whole system for server mode: every module of
// the catalog on one host.
func InitializeServer(cfg Config, logger *slog.Logger) (*Server, func(), error) {
	wire.Build(hostSet, provideModules, provideBus, metrics.New, newServer)
	return nil, nil, nil
}

// InitializeFunction builds one module, alone, for a function entrypoint.
func InitializeFunction(cfg Config, logger *slog.Logger, module ModuleName) (*Function, func(), error) {
	wire.Build(hostSet, provideModule, provideFunctionBus, newFunction)
	return nil, nil, nil
}

// The injectors of the catalog: each builds one module from its own
// provider set and its own Config.

func buildUsers(host *modular.Host, cfg users.Config) (modular.Module, func(), error) {
	wire.Build(users.Providers, wire.Bind(new(modular.Module), new(*users.Module)))
	return nil, nil, nil
}

func buildOrders(host *modular.Host, cfg orders.Config) (modular.Module, func(), error) {
	wire.Build(orders.Providers, wire.Bind(new(modular.Module), new(*orders.Module)))
	return nil, nil, nil
}

func buildNotifications(host *modular.Host, cfg notifications.Config) (modular.Module, func(), error) {
	wire.Build(notifications.Providers, wire.Bind(new(modular.Module), new(*notifications.Module)))
	return nil, nil, nil
}
