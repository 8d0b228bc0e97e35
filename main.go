// Command modmono runs the modular monolith. By default (or with "serve") it
// is the whole system behind one HTTP server; under the AWS Lambda runtime or
// the Google Cloud Functions framework it is one module's function.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"example.com/modmono/platform/logging"
	"example.com/modmono/wiring"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "modmono:", err)
		os.Exit(1)
	}
}

var usage = `usage: modmono [serve | events COMMAND | docs [FILE] | probe [/healthz|/readyz] | version]

  serve   run every module behind one HTTP server (the default)
  events  inspect and repair events: the poison queues and the outboxes
          (modmono events, alone, lists its commands)
  docs    write docs/modules.md (or FILE, "-" for stdout), generated from
          the code: the modules, their routes, tables, events and settings
  probe   ask the server on this machine's PORT for /healthz (or /readyz):
          the container's health check, which has no shell or curl
  version print the version this binary was built as

The mode comes from the environment: APP_MODE=server|lambda|gcf, or detected
from AWS_LAMBDA_RUNTIME_API (lambda) and FUNCTION_TARGET (gcf). A function
runs one module: APP_MODULE=` + strings.Join(wiring.Modules, "|") + `. See README.md.`

// run runs the command in args. The secrets kept in a file or a secret
// store are read first, once per process: a function's cold start. The
// server logs to stdout; the events command prints its report there and
// logs to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// Neither reads a secret nor the configuration: a health check runs
	// every few seconds, and must not call a secret store each time.
	if len(args) > 0 && args[0] == "probe" {
		return probe(ctx, args[1:], getenv, stdout)
	}
	// Describes the code on throwaway databases: reads no configuration.
	if len(args) > 0 && args[0] == "docs" {
		return wiring.RunDocs(ctx, args[1:], stdout)
	}
	if len(args) == 1 && args[0] == "version" {
		_, err := fmt.Fprintln(stdout, version)
		return err
	}
	getenv, err := wiring.ResolveSecrets(ctx, getenv)
	if err != nil {
		return fmt.Errorf("cannot read secrets:\n%w", err)
	}
	cfg, err := wiring.LoadConfig(getenv)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	if len(args) > 0 && args[0] == "events" {
		return wiring.RunEvents(ctx, cfg, logging.New(stderr, cfg.LogLevel, cfg.LogFormat), args[1:], stdout)
	}
	if len(args) > 1 || len(args) == 1 && args[0] != "serve" {
		return fmt.Errorf("unknown arguments %q\n%s", args, usage)
	}
	logger := logging.New(stdout, cfg.LogLevel, cfg.LogFormat)
	switch cfg.Mode {
	case wiring.ModeLambda:
		return wiring.RunLambda(ctx, cfg, logger)
	case wiring.ModeGCF:
		return wiring.RunGCF(ctx, cfg, logger)
	}
	return wiring.RunServer(ctx, cfg, logger)
}
