//go:build !unix

package ingest

import "time"

// processCPU is unknown here; benchmarks then report no cpu-ns/op.
func processCPU() time.Duration { return 0 }
