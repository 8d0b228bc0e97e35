//go:build wireinject

package wiring

import (
	"log/slog"

	"github.com/google/wire"
)

// InitializeServer builds the whole system for server mode.
func InitializeServer(cfg Config, logger *slog.Logger) (*Server, func(), error) {
	wire.Build(
		provideTokens,
		provideSender,
		provideUsers,
		provideOrders,
		provideNotifications,
		provideBus,
		newServer,
	)
	return nil, nil, nil
}

// InitializeFunction builds one module, alone, for a function entrypoint.
func InitializeFunction(cfg Config, logger *slog.Logger, module ModuleName) (*Function, func(), error) {
	wire.Build(
		provideTokens,
		provideSender,
		provideUnit,
		provideFunctionBus,
		newFunction,
	)
	return nil, nil, nil
}
