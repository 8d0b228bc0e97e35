// Package wiring assembles the modules and the platform into a runnable
// system. Injectors live in wire.go; wire_gen.go is generated from it by
// `make generate` and committed.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net"
)

// RunServer runs server mode on cfg.Addr() until ctx is done.
func RunServer(ctx context.Context, cfg Config, logger *slog.Logger) error {
	srv, cleanup, err := InitializeServer(cfg, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return srv.Run(ctx, ln)
}
