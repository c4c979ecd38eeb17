package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

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
// on all CPUs as the ingest pipeline does, and reports records/s.
//
//	go test ./benchmarks/ -run '^$' -bench BenchmarkNormalize -benchtime 20000x
func BenchmarkNormalize(b *testing.B) {
	recs := realisticRecords(b, 5000)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			_ = ingest.Identifiers(recs[int(i)%len(recs)])
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkParseAndNormalize adds NDJSON parsing (validation and the canonical form) to
// BenchmarkNormalize: the CPU cost of one record before it reaches the store.
//
//	go test ./benchmarks/ -run '^$' -bench BenchmarkParseAndNormalize -benchtime 20000x
func BenchmarkParseAndNormalize(b *testing.B) {
	recs := realisticRecords(b, 5000)
	var next atomic.Int64
	b.ResetTimer()
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
