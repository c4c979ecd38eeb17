package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// The walking skeleton links records that share an exact strong identifier. Person
// clusters use the identifiers one human holds (e-mail, phone, identity document);
// operator clusters add the infrastructure an operator shares across personas (device,
// payout account). The linkage issue replaces both with scored evidence.
var (
	personKinds   = []ingest.Kind{ingest.KindEmail, ingest.KindPhone, ingest.KindDocument}
	operatorKinds = []ingest.Kind{ingest.KindDevice, ingest.KindPayment}
)

// sharedValue is an identifier held by two or more records.
type sharedValue struct {
	kind    ingest.Kind
	value   string
	records []int32
}

// Recluster recomputes both levels of clusters from the stored identifiers and replaces
// the stored clusters.
func (e *Engine) Recluster(ctx context.Context) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.reclusterLocked(ctx)
}

// reclusterLocked is Recluster with writeMu held. Records get dense int32 ids in
// record-id order for the run.
func (e *Engine) reclusterLocked(ctx context.Context) error {
	start := time.Now()
	var ids []string
	var signals []uint32
	index := make(map[string]int32)
	if err := e.store.ForEachRecord(ctx, func(id string, sig uint32) error {
		index[id] = int32(len(ids))
		ids = append(ids, id)
		signals = append(signals, sig)
		return nil
	}); err != nil {
		return fmt.Errorf("engine: list records: %w", err)
	}
	uf := newUnionFind(len(ids))
	var shared []sharedValue
	link := func(kinds []ingest.Kind) error {
		for _, k := range kinds {
			err := e.store.ForEachShared(ctx, k, func(value string, recs []string) error {
				if len(recs) < 2 {
					return nil
				}
				sv := sharedValue{kind: k, value: value, records: make([]int32, 0, len(recs))}
				for _, r := range recs {
					i, ok := index[r]
					if !ok {
						return fmt.Errorf("engine: posting for unknown record %q", r)
					}
					sv.records = append(sv.records, i)
					uf.union(sv.records[0], i)
				}
				shared = append(shared, sv)
				return nil
			})
			if err != nil {
				return fmt.Errorf("engine: link on %s: %w", k, err)
			}
		}
		return nil
	}
	if err := link(personKinds); err != nil {
		return err
	}
	personUF := uf.clone()
	if err := link(operatorKinds); err != nil {
		return err
	}
	// An operator's personas are distinct person clusters: "shared under several
	// personas" means held by records of two or more person clusters.
	persons := make([]int32, len(ids))
	for i := range persons {
		persons[i] = personUF.find(int32(i))
	}
	levels := []struct {
		level graph.Level
		uf    *unionFind
	}{{graph.Person, personUF}, {graph.Operator, uf}}
	for i, l := range levels {
		if err := ctx.Err(); err != nil {
			return err
		}
		groups := groupMembers(l.uf)
		sc := scorer{ids: ids, persons: persons, signals: signals, uf: l.uf, shared: shared}
		sc.indexShared()
		w, err := e.store.ReplaceClusters(ctx, l.level)
		if err != nil {
			return err
		}
		for _, members := range groups {
			c := &graph.Cluster{ID: clusterID(l.level, ids[members[0]]), Records: make([]string, len(members))}
			for j, m := range members {
				c.Records[j] = ids[m]
			}
			sc.score(c, members)
			if err := w.Add(c); err != nil {
				w.Cancel()
				return err
			}
		}
		if err := w.Commit(i == len(levels)-1); err != nil {
			return err
		}
		e.log.Info().Str("level", l.level.String()).Int("clusters", len(groups)).Int("records", len(ids)).
			Dur("took", time.Since(start)).Msg("clusters written")
	}
	return nil
}

// groupMembers returns the members of each set, each list ascending, lists ordered by
// their smallest member.
func groupMembers(uf *unionFind) [][]int32 {
	byRoot := make(map[int32]int, len(uf.parent)/2)
	var groups [][]int32
	for i := range uf.parent {
		r := uf.find(int32(i))
		g, ok := byRoot[r]
		if !ok {
			g = len(groups)
			byRoot[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], int32(i))
	}
	return groups
}

// clusterID names a cluster after its smallest record id, so the id is deterministic and
// stays the same across re-runs while that record stays the cluster's smallest.
func clusterID(l graph.Level, smallest string) string {
	h := sha256.Sum256([]byte(l.String() + "\x00" + smallest))
	return l.String()[:1] + "-" + hex.EncodeToString(h[:6])
}

// sortedUnique sorts and de-duplicates s in place.
func sortedUnique[T interface{ ~int32 | ~string }](s []T) []T {
	slices.Sort(s)
	return slices.Compact(s)
}
