package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Record returns the current version of a stored record with its clusters, re-clustering
// first if records changed since the last run; graph.ErrNotFound if none.
func (e *Engine) Record(ctx context.Context, id string) (*graph.StoredRecord, error) {
	if err := e.EnsureClustered(ctx); err != nil {
		return nil, err
	}
	return e.store.Record(ctx, id)
}

// ClusterFilter selects clusters; the zero value selects every cluster.
type ClusterFilter struct {
	MinSize int     // smallest cluster size
	MinRisk float64 // lowest risk
}

// Clusters returns the clusters of a level that pass the filter, riskiest first, then
// largest, then by id. It re-clusters first if records changed since the last run.
func (e *Engine) Clusters(ctx context.Context, l graph.Level, f ClusterFilter) ([]*graph.Cluster, error) {
	if err := e.EnsureClustered(ctx); err != nil {
		return nil, err
	}
	var cs []*graph.Cluster
	err := e.store.ForEachCluster(ctx, l, func(c *graph.Cluster) error {
		if c.Size >= f.MinSize && c.Risk >= f.MinRisk {
			cs = append(cs, c)
		}
		return nil
	})
	slices.SortFunc(cs, func(a, b *graph.Cluster) int {
		return cmp.Or(cmp.Compare(b.Risk, a.Risk), cmp.Compare(b.Size, a.Size), strings.Compare(a.ID, b.ID))
	})
	return cs, err
}

// Cluster returns one cluster by id; the id's prefix names its level ("p-" person,
// "o-" operator).
func (e *Engine) Cluster(ctx context.Context, id string) (*graph.Cluster, error) {
	l, ok := clusterLevel(id)
	if !ok {
		return nil, fmt.Errorf("cluster %q: %w", id, graph.ErrNotFound)
	}
	if err := e.EnsureClustered(ctx); err != nil {
		return nil, err
	}
	return e.store.Cluster(ctx, l, id)
}

func clusterLevel(id string) (graph.Level, bool) {
	for _, l := range graph.Levels() {
		if strings.HasPrefix(id, l.String()[:1]+"-") {
			return l, true
		}
	}
	return 0, false
}

// Search finds records by name (typos, other scripts, phonetic codes), e-mail, phone,
// address, postcode or CV words; each hit says which fields matched (graph.Store.Search).
func (e *Engine) Search(ctx context.Context, q string, limit int) ([]graph.Hit, error) {
	return e.store.Search(ctx, q, limit)
}

// Versions returns every stored version of a record, oldest first.
func (e *Engine) Versions(ctx context.Context, id string) ([]graph.Version, error) {
	return e.store.Versions(ctx, id)
}

// Holders returns the records that hold an identifier value, given in canonical form.
func (e *Engine) Holders(ctx context.Context, kind ingest.Kind, value string) ([]string, error) {
	return e.store.Holders(ctx, kind, value)
}

// IdentifierStats says how many records hold a value, since when, and under how many
// distinct names, countries and sources, with the ids of up to limit holders
// (graph.Store.IdentifierStats).
func (e *Engine) IdentifierStats(ctx context.Context, kind ingest.Kind, value string, limit int) (graph.IdentifierStats, []string, error) {
	return e.store.IdentifierStats(ctx, kind, value, limit)
}
