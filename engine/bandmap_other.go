//go:build !unix

package engine

import (
	"errors"
	"os"
)

// mapsFiles says whether this platform maps the band index's files (bandmap.go): not
// here, where the index stays on the heap.
const mapsFiles = false

func mapFile(f *os.File, n int) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapFile(b []byte) error { return errors.ErrUnsupported }
