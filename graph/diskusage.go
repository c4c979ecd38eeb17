package graph

import (
	"io/fs"
	"path/filepath"
)

// DiskUsage is the disk space the regular files under dir take (allocated blocks where
// the platform tells them, so Badger's sparse, preallocated value-log files count for
// what they use); unreadable entries are skipped.
func DiskUsage(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += allocated(fi)
			}
		}
		return nil
	})
	return n
}
