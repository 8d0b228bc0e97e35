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
	gcffn.Register(f.Name, f.Echo, events, f.RelayOnce, logger)
}

// RunGCF serves cfg.Module's functions through the Functions Framework on
// cfg.Port until ctx is done.
func RunGCF(ctx context.Context, cfg Config, logger *slog.Logger) error {
	f, stop, err := startFunction(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	RegisterGCF(f, logger)
	logger.Info("functions framework listening", "module", f.Name, "target", cfg.FunctionTarget, "port", cfg.Port)
	return gcffn.Serve(ctx, strconv.Itoa(cfg.Port))
}
