package httpserver

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// MaxClients is how many clients' token buckets a RateLimit keeps at most
// (about 300 bytes each, so some 30 MB). Past it the least recently seen
// client's bucket is forgotten: a client with that many addresses is past
// any per-client limit anyway.
const MaxClients = 100_000

// buckets is the token buckets of the clients seen lately, in least
// recently used order. A bucket idle long enough to refill completely is
// forgotten at once: a new one is the same.
type buckets struct {
	rate  rate.Limit
	burst int
	idle  time.Duration // the time an empty bucket takes to refill
	max   int

	mu    sync.Mutex
	byKey map[string]*list.Element
	lru   list.List // of *bucket, most recently seen first
}

type bucket struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

func newBuckets(r rate.Limit, burst, max int) *buckets {
	idle := time.Duration(float64(burst) / float64(r) * float64(time.Second))
	return &buckets{rate: r, burst: burst, idle: idle, max: max, byKey: map[string]*list.Element{}}
}

// allow takes a token from key's bucket at now, and reports whether there
// was one.
func (b *buckets) allow(key string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	el, ok := b.byKey[key]
	if ok {
		b.lru.MoveToFront(el)
	} else {
		el = b.lru.PushFront(&bucket{key: key, lim: rate.NewLimiter(b.rate, b.burst)})
		b.byKey[key] = el
	}
	bk := el.Value.(*bucket)
	bk.seen = now
	b.evict(now)
	return bk.lim.AllowN(now, 1)
}

// evict forgets the buckets past max and those idle long enough to be full.
func (b *buckets) evict(now time.Time) {
	for el := b.lru.Back(); el != nil; el = b.lru.Back() {
		bk := el.Value.(*bucket)
		if b.lru.Len() <= b.max && now.Sub(bk.seen) < b.idle {
			return
		}
		b.lru.Remove(el)
		delete(b.byKey, bk.key)
	}
}

func (b *buckets) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lru.Len()
}
