//go:build unix

package engine

import (
	"os"
	"syscall"
)

// mapsFiles says whether this platform maps the band index's files (bandmap.go).
const mapsFiles = true

// mapFile maps the first n bytes of f read-write and shared, so that what is written to
// the mapping is the file's and the kernel may write it back and drop it under memory
// pressure, as it does with Badger's tables. The mapping outlives f: callers close and
// unlink the file at once.
func mapFile(f *os.File, n int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }
