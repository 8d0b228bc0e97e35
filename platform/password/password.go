// Package password hashes and checks passwords with bcrypt, at most one
// fewer at once in the whole process than there are CPUs (GOMAXPROCS), and
// at least one: a CPU stays free for everything else. bcrypt is the
// one piece of work a client can ask for without an account that costs a
// CPU for tens to hundreds of milliseconds; without a bound, enough clients
// (each within its own rate limit) queue unbounded work and every request
// waits behind them.
package password

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"example.com/modmono/platform/apperror"
)

// MaxWait is how long a hash waits for a free CPU before the request is
// refused as busy. Long enough to absorb an ordinary burst (a cost-12 hash
// takes about 250 ms, so a slot frees several times a second), short enough
// that a flood answers 503 quickly instead of holding connections open.
const MaxWait = time.Second

// ErrMismatch is Compare's answer for a wrong password, and for a stored
// hash bcrypt cannot read (no password matches it).
var ErrMismatch = bcrypt.ErrMismatchedHashAndPassword

// slots holds one token per running hash, process-wide. On two CPUs, two
// slots let a login flood take both and /healthz took 50 ms at the median;
// one slot kept it under 2 ms.
var slots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// runs counts the hashes and comparisons done: a test hook.
var runs atomic.Int64

// Runs returns how many hashes and comparisons the process has run. It
// exists for tests that prove a path costs no bcrypt work.
func Runs() int64 { return runs.Load() }

// Hash returns the bcrypt hash of password at cost. It fails with a Busy
// *apperror.Error when no CPU frees up within MaxWait.
func Hash(ctx context.Context, password string, cost int) ([]byte, error) {
	var hash []byte
	err := run(ctx, func() (err error) {
		hash, err = bcrypt.GenerateFromPassword([]byte(password), cost)
		return err
	})
	return hash, err
}

// Compare returns nil when password matches hash, ErrMismatch when it does
// not, a Busy *apperror.Error when no CPU frees up within MaxWait, and
// ctx's error when ctx ends first.
func Compare(ctx context.Context, hash []byte, password string) error {
	return run(ctx, func() error {
		if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
			return ErrMismatch
		}
		return nil
	})
}

func run(ctx context.Context, f func() error) error {
	timer := time.NewTimer(MaxWait)
	defer timer.Stop()
	select {
	case slots <- struct{}{}:
	case <-timer.C:
		return apperror.New(apperror.Busy, "The server is busy checking passwords; retry shortly.")
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	runs.Add(1)
	return f()
}
