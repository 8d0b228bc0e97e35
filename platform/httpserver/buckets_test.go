package httpserver

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestAMillionClientsKeepAtMostMaxClientsBuckets(t *testing.T) {
	b := newBuckets(1, 10, MaxClients)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	now := time.Now()
	for i := range 1_000_000 {
		b.allow("198.51."+strconv.Itoa(i>>8)+"."+strconv.Itoa(i&0xff), now)
	}
	if n := b.len(); n > MaxClients {
		t.Errorf("%d buckets after a million clients, want at most %d", n, MaxClients)
	}
	after := heap()
	t.Logf("a million clients at once: %d buckets, heap %d MB → %d MB (%d bytes a bucket)",
		b.len(), before>>20, after>>20, int64(after-before)/int64(b.len()))
	runtime.KeepAlive(b)
}

func TestABucketIsForgottenOnlyOnceItHasRefilled(t *testing.T) {
	b := newBuckets(1, 2, 10) // refills from empty in 2 s
	t0 := time.Now()
	for range 2 {
		if !b.allow("a", t0) {
			t.Fatal("a fresh bucket refused its burst")
		}
	}
	if b.allow("a", t0.Add(500*time.Millisecond)) {
		t.Fatal("an empty bucket allowed a request")
	}
	b.allow("b", t0.Add(1900*time.Millisecond))
	if b.len() != 2 {
		t.Errorf("%d buckets while a is refilling, want 2", b.len())
	}
	b.allow("c", t0.Add(2600*time.Millisecond)) // a idle 2.1 s: full again
	if b.len() != 2 {
		t.Errorf("%d buckets after a refilled, want 2 (b and c)", b.len())
	}
}

func TestTheLeastRecentlySeenBucketMakesRoomPastTheCap(t *testing.T) {
	b := newBuckets(0.001, 1, 2)
	now := time.Now()
	b.allow("a", now)
	b.allow("b", now)
	b.allow("a", now) // a is now the most recent
	b.allow("c", now)
	if _, ok := b.byKey["b"]; ok || b.len() != 2 {
		t.Errorf("kept %v, want a and c", b.byKey)
	}
	if b.allow("a", now) {
		t.Error("a's empty bucket was forgotten to make room")
	}
}
