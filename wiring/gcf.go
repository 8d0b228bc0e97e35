package wiring

import (
	"context"
	"log/slog"
	"strconv"

	"example.com/modmono/platform/gcffn"
)

// RegisterGCF declares f's module's functions to the Functions Framework.
func RegisterGCF(f *Function, logger *slog.Logger) {
	var events gcffn.EventApplier
	if f.Processor != nil {
		events = f.Processor
	}
	gcffn.Register(f.Name, f.Echo, events, logger)
}

// RunGCF serves cfg.Module's functions through the Functions Framework on
// cfg.Port until ctx is done.
func RunGCF(ctx context.Context, cfg Config, logger *slog.Logger) error {
	stopTracing, err := startTracing(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer stopTracing()
	f, cleanup, err := InitializeFunction(cfg, logger, ModuleName(cfg.Module))
	if err != nil {
		return err
	}
	defer cleanup()
	f.RunWorkers(ctx)
	RegisterGCF(f, logger)
	logger.Info("functions framework listening", "module", f.Name, "target", cfg.FunctionTarget, "port", cfg.Port)
	return gcffn.Serve(ctx, strconv.Itoa(cfg.Port))
}
