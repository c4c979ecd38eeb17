//go:build unix

package ingest

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system, on all threads (so
// the garbage collector's share counts): on a shared machine wall time per operation
// measures the neighbours too.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
