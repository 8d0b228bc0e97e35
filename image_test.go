package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/wiring"
)

// The image tests run the image `make image` built (TEST_IMAGE) with the
// engine in CONTAINER_ENGINE (docker, or podman and its global flags), as
// `docker run` users and the function platforms run it. `make image-test`
// sets both; without them the tests skip.

// engine runs a container engine's commands.
type engine struct {
	t     *testing.T
	argv  []string
	image string
}

func newEngine(t *testing.T) *engine {
	t.Helper()
	image, argv := os.Getenv("TEST_IMAGE"), strings.Fields(os.Getenv("CONTAINER_ENGINE"))
	if image == "" || len(argv) == 0 {
		t.Skip("TEST_IMAGE and CONTAINER_ENGINE are not set: make image-test runs these tests")
	}
	return &engine{t: t, argv: argv, image: image}
}

func (e *engine) podman() bool { return strings.HasSuffix(e.argv[0], "podman") }

// try runs the engine with args and returns its output, and its error.
func (e *engine) try(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.argv[0], append(e.argv[1:], args...)...)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		err = fmt.Errorf("%s %s: %w: %s", e.argv[0], strings.Join(args, " "), err, ee.Stderr)
	}
	return strings.TrimSpace(string(out)), err
}

// do runs the engine with args and fails the test if it fails.
func (e *engine) do(args ...string) string {
	e.t.Helper()
	out, err := e.try(args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// name is a name for a container or volume of this test's own, removed
// when the test ends.
func (e *engine) name(kind string) string {
	n := "modmono-test-" + uuid.NewString()[:8]
	e.t.Cleanup(func() {
		if kind == "volume" {
			e.try("volume", "rm", "-f", n)
			return
		}
		if e.t.Failed() {
			logs, _ := e.try("logs", n)
			e.t.Logf("%s log:\n%s", n, logs)
		}
		e.try("rm", "-f", "-v", n)
	})
	return n
}

// start runs a container of the image in the background, named name, with
// flags before the image and args after it.
func (e *engine) start(name string, flags []string, args ...string) {
	e.t.Helper()
	run := append([]string{"run", "-d", "--name", name}, flags...)
	e.do(append(append(run, e.image), args...)...)
}

// stop sends the container SIGTERM and waits for it, and returns its exit
// code.
func (e *engine) stop(name string) int {
	e.t.Helper()
	e.do("stop", "-t", "30", name)
	code, err := strconv.Atoi(e.do("inspect", "--format", "{{.State.ExitCode}}", name))
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// published is a host port for a container's port, on loopback only.
func published(t *testing.T) (port int, flag string) {
	port = freePort(t)
	return port, fmt.Sprintf("--publish=127.0.0.1:%d:8080", port)
}

// readOnly is --read-only as Docker has it: podman would otherwise mount a
// writable /tmp, and the test would not show that the server needs none.
func (e *engine) readOnly() []string {
	if e.podman() {
		return []string{"--read-only", "--read-only-tmpfs=false"}
	}
	return []string{"--read-only"}
}

func TestImageServesTheStoryAsANonRootUserOnAReadOnlyRoot(t *testing.T) {
	e := newEngine(t)
	t.Parallel()
	volume, first := e.name("volume"), e.name("container")
	port, publish := published(t)
	// The README's command, read-only, with test-speed password hashing.
	flags := append(e.readOnly(), publish, "--volume="+volume+":/data", "--env=BCRYPT_COST=4")
	e.start(first, flags)
	p := &process{t: t, port: port}
	if !waitReady(p.url("/readyz"), 60*time.Second) {
		t.Fatal("the container did not become ready")
	}

	// Seen from the host: the server's process runs as the image's user.
	pid := e.do("inspect", "--format", "{{.State.Pid}}", first)
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 5 && (f[0] == "Uid:" || f[0] == "Gid:") && !slices.Equal(f[1:], []string{"65532", "65532", "65532", "65532"}) {
			t.Fatalf("the server runs as %q, want 65532 (nonroot) throughout", line)
		}
	}
	if ro := e.do("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", first); ro != "true" {
		t.Fatalf("ReadonlyRootfs = %s", ro)
	}

	token := p.signUp("container@example.com")
	id, ok := p.placeOrder(http.DefaultClient, token)
	if !ok {
		t.Fatal("placing an order failed")
	}
	waitFor(t, "the order's notification", func() bool { return p.orderPlacedNotifications(token)[id] == 1 })

	// The health check the image declares, and the readiness probe.
	if e.podman() {
		e.do("healthcheck", "run", first)
	} else {
		waitFor(t, "docker's health check", func() bool {
			return e.do("inspect", "--format", "{{.State.Health.Status}}", first) == "healthy"
		})
	}
	if out := e.do("exec", first, "/modmono", "probe", "/readyz"); !strings.Contains(out, `"status":"ready"`) {
		t.Fatalf("probe /readyz: %s", out)
	}
	if _, err := e.try("exec", "--env=PORT=1", first, "/modmono", "probe"); err == nil {
		t.Fatal("a probe of a port nobody listens on succeeded")
	}

	// SIGTERM: a request in flight is answered, then the server exits 0.
	if code := e.stop(first); code != 0 {
		t.Fatalf("the server exited %d on SIGTERM", code)
	}

	// A new container on the same volume has the user, the order, and the
	// generated secret that signed the token.
	second := e.name("container")
	port, publish = published(t)
	e.start(second, append(e.readOnly(), publish, "--volume="+volume+":/data", "--env=BCRYPT_COST=4"))
	p = &process{t: t, port: port}
	if !waitReady(p.url("/readyz"), 60*time.Second) {
		t.Fatal("the second container did not become ready")
	}
	if !p.orderExists(token, id) {
		t.Fatal("the order, or the token's secret, did not survive the container")
	}

	answered := make(chan string, 1)
	finish := sendHalfARequest(t, port)
	stopped := make(chan int, 1)
	go func() { stopped <- e.stop(second) }()
	// The listener closes as the shutdown begins; the request already in
	// flight is still read and answered.
	client := &http.Client{Timeout: 2 * time.Second}
	waitFor(t, "the shutdown to begin", func() bool {
		res, err := client.Get(p.url("/healthz"))
		if err == nil {
			res.Body.Close()
		}
		return err != nil
	})
	go func() { answered <- finish() }()
	select {
	case status := <-answered:
		if status != "201 Created" {
			t.Fatalf("the request in flight at SIGTERM got %q, want 201 Created", status)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the request in flight at SIGTERM got no answer")
	}
	if code := <-stopped; code != 0 {
		t.Fatalf("the server exited %d on SIGTERM with a request in flight", code)
	}
}

// sendHalfARequest sends the headers and half the body of a sign-up, and
// returns a func that sends the rest and returns the response's status.
func sendHalfARequest(t *testing.T, port int) func() string {
	t.Helper()
	conn, err := net.Dial("tcp", fmt.Sprint("127.0.0.1:", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := `{"email":"in-flight@example.com","password":"password123","name":"In Flight"}`
	head := fmt.Sprintf("POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	if _, err := io.WriteString(conn, head+body[:len(body)/2]); err != nil {
		t.Fatal(err)
	}
	return func() string {
		if _, err := io.WriteString(conn, body[len(body)/2:]); err != nil {
			return err.Error()
		}
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return err.Error()
		}
		res.Body.Close()
		return res.Status
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(45 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// The image holds the binary, CA certificates, the user and group files,
// /tmp and /data: no shell, nothing else. Its labels name its version,
// which the binary agrees with.
func TestImageHoldsOnlyTheBinaryAndItsFiles(t *testing.T) {
	e := newEngine(t)
	t.Parallel()
	if out, err := e.try("run", "--rm", "--entrypoint=/bin/sh", e.image, "-c", "true"); err == nil {
		t.Fatalf("the image has a shell: %s", out)
	}
	name := e.name("container")
	e.do("create", "--name", name, e.image)
	files := e.export(name)
	want := []string{"data/", "etc/", "etc/group", "etc/passwd", "etc/ssl/", "etc/ssl/certs/",
		"etc/ssl/certs/ca-certificates.crt", "modmono", "tmp/"}
	var extra []string
	for f := range files {
		// What an engine adds to every container it creates: mount
		// points for /dev, /proc, /sys, and /etc/hosts and resolv.conf.
		if !slices.Contains(want, f) && !isMountPoint(f) {
			extra = append(extra, f)
		}
	}
	for _, f := range want {
		if _, ok := files[f]; !ok {
			t.Errorf("the image lacks %s", f)
		}
	}
	if len(extra) > 0 {
		t.Errorf("the image holds more than it needs: %v", extra)
	}
	if h := files["data/"]; h == nil || h.Uid != 65532 || h.Gid != 65532 {
		t.Errorf("/data is not owned by nonroot: %+v", h)
	}
	if h := files["tmp/"]; h == nil || h.Mode&0o1777 != 0o1777 {
		t.Errorf("/tmp is not world-writable and sticky: %+v", h)
	}

	var labels map[string]string
	if err := json.Unmarshal([]byte(e.do("image", "inspect", "--format", "{{json .Config.Labels}}", e.image)), &labels); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"version", "revision", "created", "source", "title"} {
		if labels["org.opencontainers.image."+l] == "" {
			t.Errorf("no org.opencontainers.image.%s label: %v", l, labels)
		}
	}
	if v := e.do("run", "--rm", e.image, "version"); v != labels["org.opencontainers.image.version"] {
		t.Errorf("the binary says version %q, the label %q", v, labels["org.opencontainers.image.version"])
	}
	if u := e.do("image", "inspect", "--format", "{{.Config.User}}", e.image); u != "65532:65532" {
		t.Errorf("the image's user is %q", u)
	}

	// Size: as stored on the machine, and as a registry stores and
	// serves it (gzip-compressed layers).
	size, _ := strconv.ParseInt(e.do("image", "inspect", "--format", "{{.Size}}", e.image), 10, 64)
	compressed := e.compressedSize()
	t.Logf("image size: %.1f MB unpacked, %.1f MB compressed (the binary is %.1f MB of it)",
		float64(size)/1e6, float64(compressed)/1e6, float64(files["modmono"].Size)/1e6)
	if compressed > 30e6 {
		t.Errorf("the compressed image is %.1f MB, over 30 MB", float64(compressed)/1e6)
	}
}

func isMountPoint(f string) bool {
	for _, p := range []string{"dev/", "proc/", "sys/", "run/", "etc/hosts", "etc/resolv.conf", "etc/hostname", "etc/mtab"} {
		if f == p || strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// export lists a container's files by their headers.
func (e *engine) export(name string) map[string]*tar.Header {
	e.t.Helper()
	cmd := exec.Command(e.argv[0], append(e.argv[1:], "export", name)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	files := map[string]*tar.Header{}
	r := tar.NewReader(out)
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			e.t.Fatal(err)
		}
		files[strings.TrimPrefix(h.Name, "./")] = h
	}
	if err := cmd.Wait(); err != nil {
		e.t.Fatal(err)
	}
	return files
}

// compressedSize is the size of the image's layers gzip-compressed, as a
// registry holds them.
func (e *engine) compressedSize() int64 {
	e.t.Helper()
	cmd := exec.Command(e.argv[0], append(e.argv[1:], "save", e.image)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	var n countingWriter
	z := gzip.NewWriter(&n)
	if _, err := io.Copy(z, out); err != nil {
		e.t.Fatal(err)
	}
	z.Close()
	if err := cmd.Wait(); err != nil {
		e.t.Fatal(err)
	}
	return int64(n)
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// The same image is a Lambda function: the Lambda service runs its
// ENTRYPOINT with AWS_LAMBDA_RUNTIME_API set, on a read-only root with a
// writable /tmp, as a user of its own. The Runtime API is the test's (see
// lambda_test.go), on the host's loopback: the container shares the host's
// network.
func TestImageRunsAsALambdaFunction(t *testing.T) {
	e := newEngine(t)
	t.Parallel()
	api := newRuntimeAPI(t)
	name := e.name("container")
	e.start(name, append(e.readOnly(), "--network=host", "--tmpfs=/tmp", "--user=993:990",
		"--env=AWS_LAMBDA_RUNTIME_API="+api.addr, "--env=AWS_LAMBDA_FUNCTION_NAME=modmono-users", "--env=APP_MODULE=users",
		"--env=DATA_DIR=/tmp", "--env=BCRYPT_COST=4", "--env=JWT_SECRET=image-test-secret-image-test-secret-0001",
		"--env=EVENT_SIGNING_KEYS="+messagingtest.KeysFor(wiring.Modules...)))
	res := api.invoke(t, "inv-1", httpV2Event("POST", "/v1/users", "", `{"email":"lambda-image@example.com","password":"password123","name":"L"}`))
	var out struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if res.isError || json.Unmarshal(res.body, &out) != nil || out.StatusCode != 201 {
		t.Fatalf("sign-up through the Lambda container: error=%v %s", res.isError, res.body)
	}
	res = api.invoke(t, "inv-2", httpV2Event("GET", "/v1/orders", "", ""))
	if json.Unmarshal(res.body, &out) != nil || out.StatusCode != 404 {
		t.Fatalf("the users function serves another module's route: %s", res.body)
	}
}

// The same image is a Cloud Run function: the platform sets
// FUNCTION_TARGET and PORT, and stops an instance with SIGTERM.
func TestImageRunsAsACloudRunFunction(t *testing.T) {
	e := newEngine(t)
	t.Parallel()
	name := e.name("container")
	port, publish := published(t)
	e.start(name, []string{publish, "--env=FUNCTION_TARGET=users", "--env=K_SERVICE=users", "--env=BCRYPT_COST=4",
		"--env=JWT_SECRET=image-test-secret-image-test-secret-0001", "--env=EVENT_SIGNING_KEYS=" + messagingtest.KeysFor(wiring.Modules...)})
	p := &process{t: t, port: port}
	if !waitReady(p.url("/readyz"), 60*time.Second) {
		t.Fatal("the function did not become ready")
	}
	token := p.signUp("cloud-run-image@example.com")
	if code, err := p.call(http.DefaultClient, "GET", "/v1/users/me", token, nil, nil); code != 200 {
		t.Fatalf("GET /v1/users/me: %d %v", code, err)
	}
	if code, _ := p.call(http.DefaultClient, "GET", "/v1/orders", token, nil, nil); code != 404 {
		t.Fatalf("the users function serves another module's route: %d", code)
	}
	if code := e.stop(name); code != 0 {
		t.Fatalf("the function exited %d on SIGTERM", code)
	}
}
