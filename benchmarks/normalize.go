package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/ingest"
)

// NormalizeResult is the speed of normalisation alone: ingest.Identifiers over parsed
// records, one worker per CPU as the ingest pipeline runs it.
type NormalizeResult struct {
	Records       int     `json:"records"`
	Workers       int     `json:"workers"`
	RecordsPerSec float64 `json:"records_per_s"` // best of the passes
	MedianPerSec  float64 `json:"median_records_per_s"`
}

// RunNormalize normalises the records of a generated T1 population of 5,000 people
// (every identifier kind, CV text included; the population BenchmarkNormalize uses)
// passes times over, and reports the best and the median pass.
func RunNormalize(ctx context.Context, passes int) (NormalizeResult, error) {
	var buf bytes.Buffer
	cfg := fixtures.Config{People: 5000, Tier: fixtures.T1, Seed: 7, DPRKShare: 0.03}
	if _, err := fixtures.Generate(ctx, cfg, &buf, io.Discard, io.Discard); err != nil {
		return NormalizeResult{}, err
	}
	var recs []*ingest.Record
	r := ingest.NewReader(&buf, 0)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return NormalizeResult{}, err
		}
		recs = append(recs, rec)
	}
	res := NormalizeResult{Records: len(recs), Workers: runtime.GOMAXPROCS(0)}
	var rates []float64
	for range max(passes, 1) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range res.Workers {
			wg.Go(func() {
				for i := next.Add(1) - 1; i < int64(len(recs)); i = next.Add(1) - 1 {
					_ = ingest.Identifiers(recs[i])
				}
			})
		}
		wg.Wait()
		rates = append(rates, float64(len(recs))/time.Since(start).Seconds())
	}
	slices.Sort(rates)
	res.RecordsPerSec, res.MedianPerSec = rates[len(rates)-1], rates[len(rates)/2]
	return res, nil
}
