//go:build unix

package graph

import (
	"io/fs"
	"syscall"
)

// allocated is the disk space a file takes: its allocated blocks, not its length.
// Badger preallocates sparse value-log files of 2 GiB, so lengths would overstate the
// store by gigabytes.
func allocated(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return fi.Size()
}
