package benchmarks

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// SpeedResult is one run of the speed suite.
type SpeedResult struct {
	Records       int           `json:"records"`
	Ingest        time.Duration `json:"ingest_ns"`
	RecordsPerSec float64       `json:"records_per_s"`
	Cluster       time.Duration `json:"cluster_ns"`
	LookupP50     time.Duration `json:"lookup_p50_ns"`
	LookupP99     time.Duration `json:"lookup_p99_ns"`
	// CheckP50 and CheckP99 time what POST /v1/check does in the engine: store one new
	// record (a re-application of a stored one under a new id) and link it into the
	// clusters, returning them.
	CheckP50       time.Duration `json:"check_p50_ns"`
	CheckP99       time.Duration `json:"check_p99_ns"`
	PeakGoMemory   uint64        `json:"peak_go_memory_bytes"`
	StoreBytes     int64         `json:"store_bytes"`
	BytesPerRecord float64       `json:"bytes_per_record"`
}

// RunSpeed ingests the NDJSON that write produces into a fresh store under workDir,
// clusters it, then times 1,000 record lookups by id. write runs in its own goroutine and
// streams into the ingest, so the input never sits in memory or on disk whole.
func RunSpeed(ctx context.Context, workDir string, write func(io.Writer) error) (SpeedResult, error) {
	var res SpeedResult
	st, eng, cleanup, err := openFresh(workDir)
	if err != nil {
		return res, err
	}
	defer cleanup()
	mem := startPeakMemory()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	start := time.Now()
	sum, err := ingestReader(ctx, eng, pr, nil)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the writer if ingest stopped early
	if err != nil {
		mem.Stop()
		return res, err
	}
	res.Ingest = time.Since(start)
	res.Records = sum.Accepted()
	if res.Records == 0 {
		mem.Stop()
		return res, errNoRecords
	}
	res.RecordsPerSec = float64(res.Records) / res.Ingest.Seconds()
	start = time.Now()
	if err := eng.Recluster(ctx); err != nil {
		mem.Stop()
		return res, err
	}
	res.Cluster = time.Since(start)
	res.PeakGoMemory = mem.Stop()

	// Reservoir-sample 1,000 record ids, then time lookups of them.
	rng := rand.New(rand.NewPCG(1, 2))
	var sample []string
	seen := 0
	if err := st.ForEachRecord(ctx, func(id string, _ uint32) error {
		seen++
		if len(sample) < 1000 {
			sample = append(sample, id)
		} else if j := rng.IntN(seen); j < len(sample) {
			sample[j] = id
		}
		return nil
	}); err != nil {
		return res, err
	}
	lat := make([]time.Duration, 0, len(sample))
	for _, id := range sample {
		t := time.Now()
		if _, err := eng.Record(ctx, id); err != nil {
			return res, err
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	res.LookupP50 = lat[len(lat)/2]
	res.LookupP99 = lat[len(lat)*99/100]
	if res.CheckP50, res.CheckP99, err = timeChecks(ctx, eng, sample[:min(len(sample), 500)]); err != nil {
		return res, err
	}
	res.StoreBytes = graph.DiskUsage(st.Dir())
	res.BytesPerRecord = float64(res.StoreBytes) / float64(res.Records)
	return res, nil
}

// errNoRecords is returned by the speed suite for an empty input.
var errNoRecords = errors.New("benchmarks: no records")

// timeChecks re-submits stored records under new ids, one at a time, through
// engine.Check as POST /v1/check does (the record already parsed), and returns the
// latency percentiles.
func timeChecks(ctx context.Context, eng *engine.Engine, ids []string) (p50, p99 time.Duration, err error) {
	cs, err := TimeChecks(ctx, eng, ids, "#check", 0)
	if err != nil || len(cs.Latencies) == 0 {
		return 0, 0, err
	}
	return cs.Percentile(0.50), cs.Percentile(0.99), nil
}

// CheckTimes are the latencies of checks, slowest last.
type CheckTimes struct {
	Latencies []time.Duration
	IDs       []string // the stored record each check re-sent, in the order of Latencies
}

// Percentile returns the latency below which a share q of the checks took (0 < q < 1).
func (c *CheckTimes) Percentile(q float64) time.Duration {
	return c.Latencies[min(len(c.Latencies)-1, int(float64(len(c.Latencies))*q))]
}

// TimeChecks re-sends each stored record of ids under its id plus suffix, one at a time,
// through engine.Check as POST /v1/check does (the record already parsed), and times each
// after the first warm ones, which it leaves out. It stores the copies: a second run over
// one store needs another suffix. As serve does at start, the linker's CV band
// index is built before the first check, not in it.
func TimeChecks(ctx context.Context, eng *engine.Engine, ids []string, suffix string, warm int) (*CheckTimes, error) {
	if err := eng.WarmLinker(ctx); err != nil {
		return nil, err
	}
	type timed struct {
		d  time.Duration
		id string
	}
	var lat []timed
	for n, id := range ids {
		r, err := eng.Store().Record(ctx, id)
		if err != nil {
			return nil, err
		}
		// The canonical JSON holds the id exactly once, in this form.
		oldID, _ := json.Marshal(id)
		newID, _ := json.Marshal(id + suffix)
		rec, err := ingest.Parse(bytes.Replace(r.JSON, append([]byte(`"record_id":`), oldID...), append([]byte(`"record_id":`), newID...), 1), 1)
		if err != nil {
			return nil, err
		}
		t := time.Now()
		res, sum, err := eng.Check(ctx, rec)
		d := time.Since(t)
		if err != nil || sum.New != 1 || res.PersonCluster == "" {
			return nil, fmt.Errorf("benchmarks: check of a copy of %q: %+v, %+v, %v", id, sum, res, err)
		}
		if n >= warm {
			lat = append(lat, timed{d, id})
		}
	}
	slices.SortStableFunc(lat, func(a, b timed) int { return cmp.Compare(a.d, b.d) })
	cs := &CheckTimes{}
	for _, l := range lat {
		cs.Latencies = append(cs.Latencies, l.d)
		cs.IDs = append(cs.IDs, l.id)
	}
	return cs, nil
}
