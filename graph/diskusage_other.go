//go:build !unix

package graph

import "io/fs"

// allocated is the file's length where block counts are not available.
func allocated(fi fs.FileInfo) int64 { return fi.Size() }
