package benchmarks

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Dataset is one labelled input for the accuracy suite.
type Dataset struct {
	Name string
	// Records are the input files; Map, when set, makes them CSV read with that mapping
	// or preset, else they are NDJSON.
	Records []string
	Map     string
	// Truth files: NDJSON truth lines, or with Map set the CSV files whose ids or truth
	// columns give the truth (usually Records again).
	Truth       []string
	MustNotLink string
	Levels      []Level
}

// PublicDatasets lists the labelled public sets under root (../shared/datasets).
func PublicDatasets(root string) []Dataset {
	p := func(parts ...string) string { return filepath.Join(append([]string{root}, parts...)...) }
	csv := func(name, preset string, files ...string) Dataset {
		return Dataset{Name: name, Records: files, Map: preset, Truth: files, Levels: []Level{LevelPerson}}
	}
	return []Dataset{
		csv("FEBRL 1", "febrl", p("febrl", "dataset1.csv")),
		csv("FEBRL 2", "febrl", p("febrl", "dataset2.csv")),
		csv("FEBRL 4 (4a+4b)", "febrl", p("febrl", "dataset4a.csv"), p("febrl", "dataset4b.csv")),
		csv("dsgen C 10000", "febrl_dsgen", p("febrl_dsgen", "dedup-dsgen", "dataset_C_10000.csv")),
		csv("Splink fake_1000", "splink", p("splink", "fake_1000.csv")),
		csv("RLdata10000", "rldata", p("rldata", "RLdata10000.csv")),
	}
}

// Result is one dataset evaluated at one level.
type Result struct {
	Dataset string  `json:"dataset"`
	Report  *Report `json:"report"`
	// Ingest and Cluster are the wall times of storing every record and of clustering.
	Ingest  time.Duration `json:"ingest_ns"`
	Cluster time.Duration `json:"cluster_ns"`
	// Rejected counts input lines the readers refused.
	Rejected int `json:"rejected"`
}

// RunAccuracy ingests a dataset into a fresh store under workDir, clusters it and
// evaluates every level the dataset names.
func RunAccuracy(ctx context.Context, ds Dataset, workDir string) ([]Result, error) {
	truth, err := LoadTruth(ds.Truth, ds.Map)
	if err != nil {
		return nil, err
	}
	var mnl []MustNotLink
	if ds.MustNotLink != "" {
		f, err := os.Open(ds.MustNotLink)
		if err != nil {
			return nil, err
		}
		mnl, err = ReadMustNotLink(f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	st, eng, cleanup, err := openFresh(workDir)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	start := time.Now()
	sum, err := ingestFiles(ctx, eng, ds.Records, ds.Map)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ds.Name, err)
	}
	ingestTook := time.Since(start)
	start = time.Now()
	if err := eng.Recluster(ctx); err != nil {
		return nil, err
	}
	clusterTook := time.Since(start)
	var out []Result
	for _, l := range ds.Levels {
		pred, err := StorePartition(ctx, st, l)
		if err != nil {
			return nil, err
		}
		rep, err := Evaluate(pred, truth, EvalOptions{Level: l, MustNotLink: mnl})
		if err != nil {
			return nil, err
		}
		out = append(out, Result{Dataset: ds.Name, Report: rep, Ingest: ingestTook, Cluster: clusterTook, Rejected: sum.Rejected})
	}
	return out, nil
}

// openFresh opens an empty store in a new directory under workDir; cleanup closes and
// removes it.
func openFresh(workDir string) (*graph.Store, *engine.Engine, func(), error) {
	dir, err := os.MkdirTemp(workDir, "bench-")
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := graph.Open(dir, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	eng := engine.New(st, nil)
	return st, eng, func() { eng.Close(); st.Close(); os.RemoveAll(dir) }, nil
}

// ingestFiles stores every file without clustering; mapSpec selects CSV.
func ingestFiles(ctx context.Context, eng *engine.Engine, files []string, mapSpec string) (engine.Summary, error) {
	var total engine.Summary
	var m *ingest.Mapping
	if mapSpec != "" {
		var err error
		if m, err = ingest.ResolveMapping(mapSpec); err != nil {
			return total, err
		}
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return total, err
		}
		sum, err := ingestReader(ctx, eng, f, m)
		f.Close()
		total.New += sum.New
		total.Updated += sum.Updated
		total.Unchanged += sum.Unchanged
		total.Rejected += sum.Rejected
		if err != nil {
			return total, fmt.Errorf("%s: %w", path, err)
		}
	}
	return total, nil
}

func ingestReader(ctx context.Context, eng *engine.Engine, r io.Reader, m *ingest.Mapping) (engine.Summary, error) {
	var src engine.Source = ingest.NewReader(r, 0)
	if m != nil {
		c, err := ingest.NewCSVReader(r, m)
		if err != nil {
			return engine.Summary{}, err
		}
		src = c
	}
	return eng.Ingest(ctx, src, &engine.IngestOptions{SkipCluster: true, Bulk: true})
}

// peakMemory samples the Go runtime's total mapped memory every few milliseconds until
// stopped, and reports the peak. It does not see Badger's and Bleve's memory-mapped
// files; /usr/bin/time -v on the CLI gives whole-process peak RSS.
type peakMemory struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startPeakMemory() *peakMemory {
	p := &peakMemory{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > p.peak {
			p.peak = v
		}
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakMemory) Stop() uint64 {
	close(p.stop)
	p.done.Wait()
	return p.peak
}
