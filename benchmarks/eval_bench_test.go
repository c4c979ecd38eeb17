package benchmarks

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

// BenchmarkEvaluate scores a 1M-record prediction (clusters of 6) against a truth
// (clusters of 3), reporting records/s. Partitions are built outside the timer.
//
//	go test ./benchmarks/ -run '^$' -bench BenchmarkEvaluate -benchtime 3x
func BenchmarkEvaluate(b *testing.B) {
	const n = 1_000_000
	pred, truth := NewPartition(), NewTruth()
	for i := range n {
		id := fmt.Sprint(i)
		if err := pred.Add(id, fmt.Sprint(i/6)); err != nil {
			b.Fatal(err)
		}
		if err := truth.Add(id, fmt.Sprint(i/3), ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Evaluate(pred, truth, EvalOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkCSVPreset reads Splink fake_20000 through its preset, reporting records/s.
//
//	go test ./benchmarks/ -run '^$' -bench BenchmarkCSVPreset -benchtime 3x
func BenchmarkCSVPreset(b *testing.B) {
	dir := os.Getenv("PERSONAGRAPH_DATASETS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "datasets")
	}
	path := filepath.Join(dir, "splink", "fake_20000.csv")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("dataset not available: %v", err)
	}
	records := 0
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		m, _ := ingest.Preset("splink")
		r, err := ingest.NewCSVReader(f, m)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			records++
		}
		f.Close()
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
