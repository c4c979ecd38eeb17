package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

func newEngine(t *testing.T, batch int) *Engine {
	t.Helper()
	st, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, &Options{BatchSize: batch})
}

// newDiskEngine is newEngine over a store in a temporary directory.
func newDiskEngine(t *testing.T, batch int) *Engine {
	t.Helper()
	st, err := graph.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := New(st, &Options{BatchSize: batch})
	t.Cleanup(func() { e.Close(); st.Close() })
	return e
}

// partition returns cluster id -> sorted members for a level.
func partition(t *testing.T, e *Engine, l graph.Level) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	if err := e.Store().ForEachCluster(context.Background(), l, func(c *graph.Cluster) error {
		if c.Size != len(c.Records) {
			t.Errorf("cluster %s: size %d, %d records", c.ID, c.Size, len(c.Records))
		}
		out[c.ID] = slices.Sorted(slices.Values(c.Records))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// clusterOf inverts a partition, checking every record is in exactly one cluster.
func clusterOf(t *testing.T, p map[string][]string) map[string]string {
	t.Helper()
	of := map[string]string{}
	for id, recs := range p {
		for _, r := range recs {
			if prev, ok := of[r]; ok {
				t.Fatalf("record %s in clusters %s and %s", r, prev, id)
			}
			of[r] = id
		}
	}
	return of
}

func TestSampleRingIsOneOperatorCluster(t *testing.T) {
	ctx := context.Background()
	for _, batch := range []int{1, 3, 1000} {
		e := newEngine(t, batch)
		sum, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(fixtures.Sample), 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(strings.TrimSpace(fixtures.Sample), "\n") + 1
		if sum.New != lines || sum.Rejected != 0 {
			t.Fatalf("batch %d: summary %+v, want %d new", batch, sum, lines)
		}
		ops := partition(t, e, graph.Operator)
		of := clusterOf(t, ops)
		if len(of) != lines {
			t.Fatalf("batch %d: %d records clustered, want %d", batch, len(of), lines)
		}
		ring := fixtures.SampleRing()
		c := of[ring[0]]
		if !slices.Equal(ops[c], ring) {
			t.Fatalf("batch %d: ring cluster %v, want %v", batch, ops[c], ring)
		}
		cl, err := e.Store().Cluster(ctx, graph.Operator, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"shared_device", "shared_payout", "many_personas"} {
			if !slices.Contains(cl.Flags, f) {
				t.Errorf("ring flags %v lack %s", cl.Flags, f)
			}
		}
		// Everyone else: the re-applicant's two records together, the household apart, no
		// genuine record with the ring.
		if of["acme:app:0001"] != of["acme:app:0002"] {
			t.Errorf("re-application split")
		}
		if of["upwork:app:1002"] == of["upwork:app:1003"] {
			t.Errorf("household merged")
		}
		for r, cid := range of {
			if cid == c && !slices.Contains(ring, r) {
				t.Errorf("genuine record %s in the ring cluster", r)
			}
		}
		// Every genuine operator cluster is lower risk than the ring.
		for id := range ops {
			other, _ := e.Store().Cluster(ctx, graph.Operator, id)
			if id != c && other.Risk >= cl.Risk {
				t.Errorf("cluster %s risk %.2f >= ring %.2f", id, other.Risk, cl.Risk)
			}
		}
		// Person level: the ring's personas stay apart, except the two records of one persona.
		persons := clusterOf(t, partition(t, e, graph.Person))
		if persons["upwork:app:3001"] != persons["greenhouse:app:3005"] {
			t.Errorf("one persona's two records split at person level")
		}
		if persons["upwork:app:3001"] == persons["upwork:app:3002"] {
			t.Errorf("two personas merged at person level")
		}
	}
}

func TestRejectedLinesDoNotCostGoodOnes(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, 2)
	input := `{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","phones":["+44 7911 123456"]}
{"record_id":"bad","source":"s"}
not json
{"record_id":"b","source":"s","observed_at":"2026-01-01T00:00:00Z","phones":["07911123456"],"nationality":"GB"}
`
	var rejected []int64
	sum, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(input), 0), &IngestOptions{
		OnReject: func(pe *ingest.ParseError) { rejected = append(rejected, pe.Line) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 2 || sum.Rejected != 2 || !slices.Equal(rejected, []int64{2, 3}) {
		t.Fatalf("summary %+v, rejected lines %v", sum, rejected)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := e.Store().Record(ctx, id); err != nil {
			t.Fatalf("good record %s not stored: %v", id, err)
		}
	}
	of := clusterOf(t, partition(t, e, graph.Person))
	if of["a"] != of["b"] {
		t.Fatalf("records sharing a phone (national and international format) not linked")
	}
	// Re-ingesting the same input changes nothing.
	sum, err = e.Ingest(ctx, ingest.NewReader(strings.NewReader(input), 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 0 || sum.Updated != 0 || sum.Unchanged != 2 {
		t.Fatalf("re-ingest: %+v", sum)
	}
}

func TestClusterIDsStable(t *testing.T) {
	ctx := context.Background()
	ids := func(batch int) map[string][]string {
		e := newEngine(t, batch)
		if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(fixtures.Sample), 0), nil); err != nil {
			t.Fatal(err)
		}
		// A second full recluster must not move anything.
		first := partition(t, e, graph.Operator)
		if err := e.Recluster(ctx); err != nil {
			t.Fatal(err)
		}
		second := partition(t, e, graph.Operator)
		if len(first) != len(second) {
			t.Fatalf("recluster changed the cluster count")
		}
		for id, recs := range first {
			if !slices.Equal(second[id], recs) {
				t.Fatalf("cluster %s changed on recluster", id)
			}
		}
		return first
	}
	a, b := ids(1), ids(500)
	for id, recs := range a {
		if !slices.Equal(b[id], recs) {
			t.Fatalf("cluster %s differs between batch sizes: %v vs %v", id, recs, b[id])
		}
	}
}
