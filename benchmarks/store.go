package benchmarks

import (
	"context"
	"fmt"
	"os"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// StorePartition reads the predicted partition of one level from a store's clusters.
func StorePartition(ctx context.Context, st *graph.Store, level Level) (*Partition, error) {
	l, err := graph.ParseLevel(string(level))
	if err != nil {
		return nil, err
	}
	p := NewPartition()
	err = st.ForEachCluster(ctx, l, func(c *graph.Cluster) error {
		for _, r := range c.Records {
			if err := p.Add(r, c.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return p, err
}

// LoadTruth reads ground truth from files: NDJSON truth lines when mapSpec is empty, or
// CSV files of a public dataset whose truth derives from ids or a truth column, read with
// the mapping or preset mapSpec (e.g. "febrl" for dataset4a.csv and dataset4b.csv).
func LoadTruth(paths []string, mapSpec string) (*Truth, error) {
	t := NewTruth()
	var (
		m    *ingest.Mapping
		rule TruthRule
	)
	if mapSpec != "" {
		var err error
		if m, err = ingest.ResolveMapping(mapSpec); err != nil {
			return nil, err
		}
		var ok bool
		if rule, ok = PresetTruthRule(mapSpec); !ok {
			rule = RuleColumn
		}
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		if m == nil {
			err = t.ReadNDJSON(f)
		} else {
			_, err = t.ReadCSV(f, m, rule)
		}
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("truth %s: %w", path, err)
		}
	}
	return t, nil
}
