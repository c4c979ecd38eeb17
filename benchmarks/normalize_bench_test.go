//go:build unix

package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/ingest"
)

// realisticRecords parses a generated tier T1 population: every kind of identifier,
// CV text included, with the genuine re-applications and hubs of DOMAIN.md 6.5.
func realisticRecords(tb testing.TB, people int) []*ingest.Record {
	tb.Helper()
	var buf bytes.Buffer
	cfg := fixtures.Config{People: people, Tier: fixtures.T1, Seed: 7, DPRKShare: 0.03}
	if _, err := fixtures.Generate(context.Background(), cfg, &buf, io.Discard, io.Discard); err != nil {
		tb.Fatal(err)
	}
	r := ingest.NewReader(&buf, 0)
	var recs []*ingest.Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs
		}
		if err != nil {
			tb.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// BenchmarkNormalize runs every normaliser over realistic records (ingest.Identifiers),
// on all CPUs as the ingest pipeline does (one goroutine per CPU; -cpu 1 gives the
// single-core figure), and reports records/s of wall time.
//
// It also reports the process CPU time per record (cpu-µs/record, garbage collection
// included): on a machine shared with other work, wall-clock records/s says as much
// about the neighbours as about the code, and the CPU time per record is the figure to
// compare; 1e6 / cpu-µs/record is the records/s of one otherwise idle core.
//
//	go test ./benchmarks/ -run '^$' -bench 'BenchmarkNormalize$' -benchtime 20000x -cpu 1,2
func BenchmarkNormalize(b *testing.B) {
	recs := realisticRecords(b, 5000)
	var next atomic.Int64
	b.ResetTimer()
	cpu0 := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			_ = ingest.Identifiers(recs[int(i)%len(recs)])
		}
	})
	cpu := processCPU(b) - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/record")
}

// processCPU is the user and system CPU time the process has used so far, all threads
// (getrusage, hence the unix build constraint on this file).
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseAndNormalize adds NDJSON parsing (validation and the canonical form) to
// BenchmarkNormalize: the CPU cost of one record before it reaches the store.
//
//	go test ./benchmarks/ -run '^$' -bench BenchmarkParseAndNormalize -benchtime 20000x -cpu 1,2
func BenchmarkParseAndNormalize(b *testing.B) {
	recs := realisticRecords(b, 5000)
	var next atomic.Int64
	b.ResetTimer()
	cpu0 := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := recs[int(next.Add(1))%len(recs)]
			again, err := ingest.Parse(rec.Canonical, 1)
			if err != nil {
				b.Error(err)
				return
			}
			_ = ingest.Identifiers(again)
		}
	})
	cpu := processCPU(b) - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/record")
}
