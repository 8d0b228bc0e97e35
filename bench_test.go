package main

import (
	"fmt"
	"net/http"
	"os"
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
