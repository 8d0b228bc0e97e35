package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// version is what the binary was built as: `make build-static` sets it
// (-X main.version) from git, or from the image's VERSION build argument.
var version = "dev"

// probeTimeout bounds one probe; an orchestrator's own timeout may be
// shorter, and then kills the probe first.
const probeTimeout = 3 * time.Second

// probe asks the server listening on PORT (default 8080) on this machine
// for path, /healthz unless one is given, and fails unless it answers 200.
// It is the image's HEALTHCHECK: the image has no shell and no curl.
func probe(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	path := "/healthz"
	switch {
	case len(args) == 1 && (args[0] == "/healthz" || args[0] == "/readyz"):
		path = args[0]
	case len(args) > 0:
		return fmt.Errorf("probe: unknown arguments %q: probe takes /healthz (the default) or /readyz", args)
	}
	port := 8080
	if v := getenv("PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("probe: PORT %q is not a port number", v)
		}
		port = n
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe: %s answered %s: %s", url, resp.Status, body)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s\n", url, bytes.TrimSpace(body))
	return err
}
