package wiring_test

import (
	"os"
	"syscall"
)

// syncData makes f's data durable without its metadata: fdatasync.
func syncData(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
