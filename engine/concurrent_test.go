package engine

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Ingests may run side by side (the API's concurrent POST /v1/records): each reads and
// normalises its records before it takes the writer lock. Every record is stored once,
// and a full run afterwards gives the batch's clusters. Run with -race.
func TestConcurrentIngests(t *testing.T) {
	ctx := context.Background()
	lines := readLines(t, "../fixtures/t1-small/records.ndjson")
	want := batchPartitions(t, lines)
	e := newEngine(t, 50)
	const parts = 4
	var wg sync.WaitGroup
	sums := make([]Summary, parts)
	errs := make([]error, parts)
	for p := range parts {
		var part []string
		for i := p; i < len(lines); i += parts {
			part = append(part, lines[i])
		}
		wg.Go(func() {
			src := ingest.NewReader(strings.NewReader(strings.Join(part, "\n")), 0)
			sums[p], errs[p] = e.Ingest(ctx, src, &IngestOptions{Link: true, SkipCluster: true})
		})
	}
	wg.Wait()
	stored := 0
	for p := range parts {
		if errs[p] != nil {
			t.Fatalf("ingest %d: %v", p, errs[p])
		}
		stored += sums[p].New + sums[p].Updated + sums[p].Unchanged
	}
	if stored != len(lines) {
		t.Fatalf("stored %d records of %d", stored, len(lines))
	}
	if err := e.Recluster(ctx); err != nil {
		t.Fatal(err)
	}
	for i, l := range graph.Levels() {
		if got := partition(t, e, l); !samePartition(got, want[i]) {
			t.Errorf("%s: clusters after concurrent ingests differ from the batch's", l)
		}
	}
}
