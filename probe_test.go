package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// portOf is the port an httptest server listens on.
func portOf(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestProbeAsksTheServerOnPORT(t *testing.T) {
	ready := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/healthz":
			io.WriteString(w, `{"status":"ok"}`)
		case r.URL.Path == "/readyz" && ready:
			io.WriteString(w, `{"status":"ready"}`)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"not ready"}`)
		}
	}))
	defer srv.Close()
	port := portOf(t, srv)
	env := func(k string) string { return map[string]string{"PORT": port}[k] }

	var out bytes.Buffer
	if err := run(context.Background(), []string{"probe"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "/healthz") {
		t.Fatalf("probe of a healthy server: %v (%q)", err, out.String())
	}
	if err := run(context.Background(), []string{"probe", "/readyz"}, env, io.Discard, io.Discard); err != nil {
		t.Fatalf("probe /readyz of a ready server: %v", err)
	}
	ready = false
	err := run(context.Background(), []string{"probe", "/readyz"}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "not ready") {
		t.Fatalf("probe /readyz of a server that is not ready: %v", err)
	}
}

func TestProbeFailsClearly(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	port := portOf(t, srv)
	srv.Close() // nothing listens there any more
	for _, c := range []struct {
		args []string
		port string
		want string
	}{
		{[]string{"probe"}, port, "connection refused"},
		{[]string{"probe"}, "eighty", `PORT "eighty"`},
		{[]string{"probe"}, "70000", `PORT "70000"`},
		{[]string{"probe", "/metrics"}, port, "/healthz (the default) or /readyz"},
		{[]string{"probe", "/readyz", "again"}, port, "unknown arguments"},
	} {
		env := func(k string) string { return map[string]string{"PORT": c.port}[k] }
		err := run(context.Background(), c.args, env, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q with PORT=%s: %v, want an error containing %q", c.args, c.port, err, c.want)
		}
	}
}

// The version command reads no configuration: it answers even where the
// configuration is invalid.
func TestVersionPrintsTheBuiltVersion(t *testing.T) {
	var out bytes.Buffer
	env := func(k string) string { return map[string]string{"PORT": "99999"}[k] }
	if err := run(context.Background(), []string{"version"}, env, &out, io.Discard); err != nil || out.String() != version+"\n" {
		t.Fatalf("version: %v (%q)", err, out.String())
	}
}
