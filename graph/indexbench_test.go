package graph

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/ingest"
)

// genPuts generates a T1 population of people genuine people (seed 1), as
// `personagraph generate --people N --tier T1 --seed 1` does, and parses it into puts.
func genPuts(tb testing.TB, people int) []Put {
	tb.Helper()
	var buf bytes.Buffer
	cfg := fixtures.Config{People: people, Tier: fixtures.T1, Seed: 1}
	if _, err := fixtures.Generate(context.Background(), cfg, &buf, io.Discard, io.Discard); err != nil {
		tb.Fatal(err)
	}
	r := ingest.NewReader(&buf, 0)
	var puts []Put
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		puts = append(puts, Put{Record: rec, Identifiers: ingest.Identifiers(rec)})
	}
	return puts
}

// benchPeople is the population of the indexing benchmarks: 8,944 records.
const benchPeople = 5000

// indexBenchPeople overrides benchPeople for the indexing benchmarks, to see how the
// background merges of a live index grow with its size.
var indexBenchPeople = flag.Int("index-bench-people", benchPeople, "genuine people generated for the indexing benchmarks")

// benchBatch is how many records go to one indexRecords call, as in a PutBatch of the
// ingest pipeline.
const benchBatch = 1000

// BenchmarkIndexRecords measures the CPU per record of indexing a generated population
// into a new on-disk index, batch after batch as PutBatch does, including the
// background merging and persisting that close waits for. cpu-ns/record is the
// process's CPU time (user and system, from getrusage) per record, which other load on
// a shared machine does not inflate the way it does wall time (ns/record):
//
//	go test ./graph -run '^$' -bench 'IndexRecords|BulkIndex' -cpu 1 -count 5 -benchmem
//
// BenchmarkIndexRecordsMappingPath does the same through Bleve's mapping (the path
// before searchdoc.go), BenchmarkBulkIndex through the offline builder.
func BenchmarkIndexRecords(b *testing.B) {
	benchIndex(b, func(n *nameIndex, puts []Put) error {
		for lo := 0; lo < len(puts); lo += benchBatch {
			if err := n.indexRecords(puts[lo:min(lo+benchBatch, len(puts))]); err != nil {
				return err
			}
		}
		return nil
	})
}

func BenchmarkIndexRecordsMappingPath(b *testing.B) {
	benchIndex(b, func(n *nameIndex, puts []Put) error {
		for lo := 0; lo < len(puts); lo += benchBatch {
			if err := n.oldIndexRecords(puts[lo:min(lo+benchBatch, len(puts))]); err != nil {
				return err
			}
		}
		return nil
	})
}

func BenchmarkBulkIndex(b *testing.B) {
	benchIndex(b, func(n *nameIndex, puts []Put) error {
		return n.bulkIndex(bulkFill(puts, benchBatch))
	})
}

// benchIndex runs index on a new on-disk index per iteration, in a plain and an
// encrypted store, and closes the index.
func benchIndex(b *testing.B, index func(*nameIndex, []Put) error) {
	puts := genPuts(b, *indexBenchPeople)
	for _, enc := range []bool{false, true} {
		b.Run(encName(enc), func(b *testing.B) {
			var hasher *tokenHasher
			if enc {
				hasher = newTokenHasher(testKey(7))
			}
			b.ReportAllocs()
			cpu := startCPU(b)
			for i := 0; i < b.N; i++ {
				path := filepath.Join(b.TempDir(), "index.bleve")
				n, _, err := openNameIndex(path, hasher)
				if err != nil {
					b.Fatal(err)
				}
				if err := index(n, puts); err != nil {
					b.Fatal(err)
				}
				if err := n.close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := os.RemoveAll(filepath.Dir(path)); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			cpu.report(b, b.N*len(puts))
		})
	}
}

func encName(enc bool) string {
	if enc {
		return "encrypted"
	}
	return "plain"
}

// cpuClock measures the process's CPU time over a benchmark, less what it spends with
// the timer stopped (cleaning up), which the benchmark accounts for only approximately:
// the stopped parts are short file removals.
type cpuClock struct{ start time.Duration }

func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(tb testing.TB) cpuClock { return cpuClock{processCPU(tb)} }

// report adds ns/record (wall) and cpu-ns/record for records indexed in all.
func (c cpuClock) report(b *testing.B, records int) {
	cpu := processCPU(b) - c.start
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(records), "cpu-ns/record")
}
