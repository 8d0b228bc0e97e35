package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkIdle starts the real binary, gives it a little traffic, then
// leaves it alone for 10 s and reports the CPU it used meanwhile (from
// /proc, in clock ticks) and its resident memory.
func BenchmarkIdle(b *testing.B) {
	bin := buildBinary(b)
	p := &process{bin: bin, dataDir: b.TempDir(), port: freePort(b), t: b}
	p.start()
	defer p.stop()
	token := p.signUp("idle@example.com")
	client := &http.Client{Timeout: 5 * time.Second}
	for i := 0; i < 200; i++ {
		if _, ok := p.placeOrder(client, token); !ok {
			b.Fatal("order failed")
		}
	}
	time.Sleep(2 * time.Second) // let relays, consumers and the sender settle

	pid := p.cmd.Process.Pid
	const window = 10 * time.Second
	b.ResetTimer()
	before := cpuTicks(b, pid)
	time.Sleep(window)
	used := cpuTicks(b, pid) - before
	b.StopTimer()

	const ticksPerSecond = 100 // USER_HZ on Linux
	b.ReportMetric(float64(used)/ticksPerSecond/window.Seconds()*100, "idle_cpu_%")
	b.ReportMetric(float64(used), "cpu_ticks_in_10s")
	b.ReportMetric(rssMB(b, pid), "rss_MB")
}

// cpuTicks is the user plus system CPU time of pid, in clock ticks.
func cpuTicks(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime
}

func rssMB(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// BenchmarkLambdaColdStart starts the binary `make package` ships (static,
// stripped) as each module's
// Lambda function on an empty data directory (so migrations run) against a
// Runtime API served here, and measures from process start to its first
// /next request and to its first response (an HTTP API event for
// GET /readyz). It also reports the binary's size.
func BenchmarkLambdaColdStart(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-trimpath", "-tags", "osusergo netgo sqlite_omit_load_extension",
		"-ldflags", `-s -w -linkmode external -extldflags "-static"`, "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	const runs = 5
	b.ResetTimer()
	for _, m := range []string{"users", "orders", "notifications"} {
		var next, first []time.Duration
		for i := 0; i < runs; i++ {
			n, f := coldStart(b, bin, m)
			next, first = append(next, n), append(first, f)
		}
		b.ReportMetric(ms(median(next)), m+"_next_ms")
		b.ReportMetric(ms(median(first)), m+"_response_ms")
	}
	b.StopTimer()
	b.ReportMetric(float64(st.Size())/(1<<20), "binary_MB")
}

func coldStart(b *testing.B, bin, module string) (toNext, toResponse time.Duration) {
	api := newRuntimeAPI(b)
	p := &process{bin: bin, dataDir: b.TempDir(), port: freePort(b), t: b,
		env: []string{"AWS_LAMBDA_RUNTIME_API=" + api.addr, "APP_MODULE=" + module}}
	api.pending <- invocation{id: "cold", event: httpV2Event("GET", "/readyz", "", "")}
	start := time.Now()
	p.startNoWait()
	defer p.kill()
	select {
	case <-api.done:
	case <-time.After(20 * time.Second):
		b.Fatalf("%s: no response; log:\n%s", module, p.log.String())
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if r := api.results["cold"]; r.isError || !strings.Contains(string(r.body), `"statusCode":200`) {
		b.Fatalf("%s: first response %s", module, r.body)
	}
	return api.firstGet.Sub(start), api.firstRes.Sub(start)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
