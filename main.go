// Command modmono runs the modular monolith. With no arguments (or "serve")
// it is the whole system behind one HTTP server.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "modmono:", err)
		os.Exit(1)
	}
}

const usage = `usage: modmono [serve]

  serve   run every module behind one HTTP server (the default)

Configuration comes from environment variables; see README.md.`

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := wiring.LoadConfig(getenv)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	logger := logging.New(stdout, cfg.LogLevel, cfg.LogFormat)
	switch {
	case len(args) == 0, len(args) == 1 && args[0] == "serve":
		return wiring.RunServer(ctx, cfg, logger)
	default:
		return fmt.Errorf("unknown arguments %q\n%s", args, usage)
	}
}
