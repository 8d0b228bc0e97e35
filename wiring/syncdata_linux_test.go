package wiring_test

import (
	"os"
	"syscall"
)

// syncData makes f's data durable without its metadata: fdatasync.
func syncData(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// settleDisk writes out what the machine has not written to disk yet
// (sync), and returns once it has: the files earlier benchmarks wrote
// would otherwise go out during the next one, beside its commits.
func settleDisk() { syscall.Sync() }
