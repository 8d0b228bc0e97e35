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
