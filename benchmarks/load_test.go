package benchmarks

import (
	"context"
	"testing"
)

// TestRunLoadSmall runs the HTTP load harness on a small population: every record sent
// over HTTP is accepted, and /v1/check answers for each held-back record.
func TestRunLoadSmall(t *testing.T) {
	res, err := RunLoad(context.Background(), LoadConfig{People: 300, Batch: 100, Checks: 5, WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent == 0 || res.Stored != res.Sent || res.Checks != 5 || res.CheckP50 <= 0 {
		t.Fatalf("load result %+v", res)
	}
}

// BenchmarkHTTPLoad streams a generated population of about 100k records to a real
// server on loopback, clusters it (the first read), and times /v1/check afterwards,
// reporting records/s, the clustering time and the check latency percentiles.
// BenchmarkHTTPLoad1M does the same with about a million records (about ten minutes).
//
//	go test ./benchmarks/ -run '^$' -bench 'BenchmarkHTTPLoad$' -benchtime 1x
//	go test ./benchmarks/ -run '^$' -bench 'BenchmarkHTTPLoad1M$' -benchtime 1x -timeout 60m
func BenchmarkHTTPLoad(b *testing.B) { benchmarkHTTPLoad(b, 55000) }

func BenchmarkHTTPLoad1M(b *testing.B) { benchmarkHTTPLoad(b, 550000) }

func benchmarkHTTPLoad(b *testing.B, people int) {
	for b.Loop() {
		res, err := RunLoad(context.Background(), LoadConfig{People: people, Checks: 200, WorkDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.RecordsPerSec, "records/s")
		b.ReportMetric(res.Cluster.Seconds(), "cluster-s")
		b.ReportMetric(float64(res.CheckP50.Microseconds())/1000, "check-p50-ms")
		b.ReportMetric(float64(res.CheckP99.Microseconds())/1000, "check-p99-ms")
		b.ReportMetric(float64(res.Stored), "records")
	}
}
