package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

func TestAppendFieldsMatchesStringsFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a ", "anna  maria\tsmith", "x\u00a0y z", "é b", "a\x85b", "\v\fa\r\nb ", "zoë  ab",
		"a b c d e f g h i j k"} {
		var buf [maxNameTokens]string
		if got, want := appendFields(buf[:0], s), strings.Fields(s); !slices.Equal(got, want) {
			t.Errorf("appendFields(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestComparePairsWorkers checks that comparing on several goroutines gives every pair
// the pattern one goroutine gives it.
func TestComparePairsWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"anna smith", "anna smyth", "smith anna", "john smith", "jon smith", "maria garcia lopez", ""}
	fs := make([]features, 3000)
	for i := range fs {
		f := &fs[i]
		f.add(ingest.KindNameKey, names[rng.IntN(len(names))])
		f.add(ingest.KindNameKey, "dmf:SMT/"+string(rune('a'+rng.IntN(3))))
		f.add(ingest.KindDOB, fmt.Sprintf("19%02d-0%d-1%d", 60+rng.IntN(3), 1+rng.IntN(2), rng.IntN(3)))
		f.add(ingest.KindEmail, fmt.Sprintf("a.smith%d@example.com", rng.IntN(20)))
		f.add(ingest.KindPhone, fmt.Sprintf("+4420794600%02d", rng.IntN(40)))
		f.add(ingest.KindPostcode, fmt.Sprintf("SW1A %dAA", rng.IntN(5)))
	}
	// Counting and hashing the keys go through one definition (keySink); a key appended
	// past it would undersize candidatePairs' arrays.
	for i := range fs {
		if n, keys := blockingKeyCount(&fs[i]), blockingKeys(&fs[i], nil); n != len(keys) {
			t.Fatalf("record %d: blockingKeyCount %d, blockingKeys gives %d", i, n, len(keys))
		}
	}
	pairs := candidatePairs(fs)
	if len(pairs) < 1<<16 {
		t.Fatalf("%d pairs: too few to spread over workers", len(pairs))
	}
	one := comparePairs(fs, pairs, 1)
	for k, pr := range pairs {
		if one[k] != compare(&fs[pr>>32], &fs[pr&0xffffffff]) {
			t.Fatalf("pair %d: pattern differs from compare", k)
		}
	}
	if many := comparePairs(fs, pairs, 7); !slices.Equal(one, many) {
		t.Error("patterns differ between 1 and 7 workers")
	}
}

// TestLoadFeaturesMatchesFeaturesOf checks that the full run's features, read in one scan
// with their strings gathered per record, are those the incremental path builds from
// each record's identifiers.
func TestLoadFeaturesMatchesFeaturesOf(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, 7)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(fixtures.Sample), 0), &IngestOptions{SkipCluster: true}); err != nil {
		t.Fatal(err)
	}
	index := map[string]int32{}
	var ids []string
	if err := e.Store().ForEachRecord(ctx, func(id string, _ uint32) error {
		index[id] = int32(len(ids))
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	fs, err := e.loadFeatures(ctx, index)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		st, err := e.Store().Record(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := featuresOf(st.Identifiers); !reflect.DeepEqual(fs[i], want) {
			t.Errorf("%s: loaded %+v, want %+v", id, fs[i], want)
		}
	}
}

// TestFirstRunWritesAsRerun checks that the first run, which writes an empty level
// without reading it (graph.NewLevelWriter), stores what a later run over the same
// records confirms unchanged, memberships included.
func TestFirstRunWritesAsRerun(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, 5)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(fixtures.Sample), 0), nil); err != nil {
		t.Fatal(err)
	}
	type state struct {
		clusters    map[string]*graph.Cluster
		memberships [][]string
	}
	var ids []string
	if err := e.Store().ForEachRecord(ctx, func(id string, _ uint32) error {
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	read := func() state {
		if stale, err := e.Store().ClustersStale(ctx); err != nil || stale {
			t.Fatalf("clusters stale %v, %v", stale, err)
		}
		st := state{clusters: map[string]*graph.Cluster{}}
		for _, l := range graph.Levels() {
			if err := e.Store().ForEachCluster(ctx, l, func(c *graph.Cluster) error {
				st.clusters[c.ID] = c
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			m, err := e.Store().Memberships(ctx, l, ids)
			if err != nil {
				t.Fatal(err)
			}
			st.memberships = append(st.memberships, m)
		}
		return st
	}
	first := read()
	for _, m := range first.memberships {
		for i, c := range m {
			if first.clusters[c] == nil || !slices.Contains(first.clusters[c].Records, ids[i]) {
				t.Errorf("record %s: membership %q is not a cluster holding it", ids[i], c)
			}
		}
	}
	if err := e.Recluster(ctx); err != nil {
		t.Fatal(err)
	}
	if again := read(); !reflect.DeepEqual(first, again) {
		t.Error("a second run changed the clusters of the first")
	}
}
