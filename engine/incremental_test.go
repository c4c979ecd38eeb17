package engine

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// readLines returns the NDJSON lines of a fixture file.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			lines = append(lines, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// linkOneByOne ingests lines[:head] as one batch, then every other line alone with
// Link, and checks each of those was linked without a full run.
func linkOneByOne(t *testing.T, lines []string, head int) *Engine {
	t.Helper()
	ctx := context.Background()
	e := newEngine(t, 1000)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines[:head], "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	for i, l := range lines[head:] {
		before := e.linked
		if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(l), 0), &IngestOptions{Link: true}); err != nil {
			t.Fatalf("line %d: %v", head+i+1, err)
		}
		if e.linked != before+1 {
			t.Fatalf("line %d: re-clustered instead of linking", head+i+1)
		}
		if stale, err := e.Store().ClustersStale(ctx); err != nil || stale {
			t.Fatalf("line %d: clusters stale (%v) after linking", head+i+1, err)
		}
	}
	return e
}

// pairAgreement returns how many same-cluster pairs of got are in want, and their counts.
func pairAgreement(t *testing.T, got, want map[string][]string) (common, nGot, nWant int) {
	t.Helper()
	of := clusterOf(t, want)
	for _, recs := range got {
		for i := range recs {
			for j := i + 1; j < len(recs); j++ {
				nGot++
				if of[recs[i]] == of[recs[j]] {
					common++
				}
			}
		}
	}
	for _, recs := range want {
		nWant += len(recs) * (len(recs) - 1) / 2
	}
	return common, nGot, nWant
}

func batchPartitions(t *testing.T, lines []string) [2]map[string][]string {
	t.Helper()
	e := newEngine(t, 1000)
	if _, err := e.Ingest(context.Background(), ingest.NewReader(strings.NewReader(strings.Join(lines, "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	return [2]map[string][]string{partition(t, e, graph.Person), partition(t, e, graph.Operator)}
}

// The sample's ring, household and strangers come out of one-at-a-time linking exactly
// as out of one batch, in any order of arrival after the first record.
func TestLinkOneByOneMatchesBatchOnSample(t *testing.T) {
	lines := readLines(t, "../fixtures/sample/records.ndjson")
	want := batchPartitions(t, lines)
	for _, order := range [][]string{lines, reversed(lines)} {
		e := linkOneByOne(t, order, 1)
		for i, l := range graph.Levels() {
			got := partition(t, e, l)
			if !samePartition(got, want[i]) {
				t.Errorf("%s clusters linked one by one:\n%v\nbatch:\n%v", l, got, want[i])
			}
		}
		ring := fixtures.SampleRing()
		op := clusterOf(t, partition(t, e, graph.Operator))
		c, err := e.Store().Cluster(context.Background(), graph.Operator, op[ring[0]])
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"shared_device", "shared_payout", "many_personas"} {
			if !slices.Contains(c.Flags, f) {
				t.Errorf("ring cluster flags %v lack %s", c.Flags, f)
			}
		}
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func samePartition(a, b map[string][]string) bool {
	key := func(p map[string][]string) []string {
		var out []string
		for _, recs := range p {
			out = append(out, strings.Join(recs, ","))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// On a generated population, linking the second half one record at a time agrees with
// the batch run on nearly every pair, and a full run afterwards gives the batch result
// exactly (ids included).
func TestLinkOneByOneAgreesWithBatch(t *testing.T) {
	lines := readLines(t, "../fixtures/t1-small/records.ndjson")
	want := batchPartitions(t, lines)
	e := linkOneByOne(t, lines, len(lines)/2)
	for i, l := range graph.Levels() {
		got := partition(t, e, l)
		common, nGot, nWant := pairAgreement(t, got, want[i])
		t.Logf("%s: %d linked pairs, %d in batch, %d in both", l, nGot, nWant, common)
		if p, r := float64(common)/float64(nGot), float64(common)/float64(nWant); p < 0.97 || r < 0.9 {
			t.Errorf("%s: incremental vs batch pairs: precision %.3f recall %.3f", l, p, r)
		}
	}
	// Against the truth, one-at-a-time linking is about as good as the batch.
	truth := truthLabels(t, "../fixtures/t1-small/truth.ndjson")
	for i, l := range graph.Levels() {
		bf, inc := pairF1(t, want[i], truth[i]), pairF1(t, partition(t, e, l), truth[i])
		t.Logf("%s: pairwise F1 against truth: batch %.3f, linked one by one %.3f", l, bf, inc)
		if inc < bf-0.03 {
			t.Errorf("%s: F1 %.3f linked one by one, %.3f in batch", l, inc, bf)
		}
	}
	if ran, err := e.Reconcile(context.Background()); err != nil || !ran {
		t.Fatalf("reconcile after linking: ran %v, %v", ran, err)
	}
	if ran, err := e.Reconcile(context.Background()); err != nil || ran {
		t.Fatalf("reconcile right after a full run: ran %v, %v", ran, err)
	}
	for i, l := range graph.Levels() {
		if got := partition(t, e, l); !samePartition(got, want[i]) {
			t.Errorf("%s: full run after linking differs from batch", l)
		}
	}
}

// truthLabels reads a generated truth file: record id -> person, and -> operator (a
// genuine person is an operator of their own).
func truthLabels(t *testing.T, path string) [2]map[string]string {
	t.Helper()
	out := [2]map[string]string{{}, {}}
	for _, l := range readLines(t, path) {
		var r struct {
			RecordID   string `json:"record_id"`
			PersonID   string `json:"person_id"`
			OperatorID string `json:"operator_id"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		out[0][r.RecordID] = r.PersonID
		out[1][r.RecordID] = cmp.Or(r.OperatorID, "person:"+r.PersonID)
	}
	return out
}

// pairF1 is the pairwise F1 of a partition against truth labels.
func pairF1(t *testing.T, p map[string][]string, truth map[string]string) float64 {
	t.Helper()
	var tp, predicted, actual float64
	for _, recs := range p {
		for i := range recs {
			for j := i + 1; j < len(recs); j++ {
				predicted++
				if truth[recs[i]] == truth[recs[j]] {
					tp++
				}
			}
		}
	}
	groups := map[string]float64{}
	for _, g := range truth {
		groups[g]++
	}
	for _, n := range groups {
		actual += n * (n - 1) / 2
	}
	if tp == 0 {
		return 0
	}
	prec, rec := tp/predicted, tp/actual
	return 2 * prec * rec / (prec + rec)
}

// With SkipCluster, Link keeps a trickle of records clustered and leaves a burst (or
// records arriving while clusters are stale) for the next full run.
func TestLinkWithSkipCluster(t *testing.T) {
	ctx := context.Background()
	lines := readLines(t, "../fixtures/t1-small/records.ndjson")
	e := newEngine(t, 1000)
	opts := &IngestOptions{Link: true, SkipCluster: true}
	stale := func() bool {
		t.Helper()
		s, err := e.Store().ClustersStale(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ingestLines := func(ls []string, o *IngestOptions) {
		t.Helper()
		if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(ls, "\n")), 0), o); err != nil {
			t.Fatal(err)
		}
	}
	ingestLines(lines[:100], nil)
	ingestLines(lines[100:110], opts)
	if stale() {
		t.Fatal("ten records after a full run left the clusters stale")
	}
	if got := partition(t, e, graph.Person); len(clusterOf(t, got)) != 110 {
		t.Fatalf("%d records clustered, want 110", len(clusterOf(t, got)))
	}
	ingestLines(lines[110:110+maxIncRecords+1], opts)
	if !stale() {
		t.Fatal("a burst was linked one by one")
	}
	ingestLines(lines[300:301], opts)
	if !stale() {
		t.Fatal("a record linked against stale clusters")
	}
	if err := e.EnsureClustered(ctx); err != nil {
		t.Fatal(err)
	}
	if got := partition(t, e, graph.Person); len(clusterOf(t, got)) != 110+maxIncRecords+2 {
		t.Fatalf("%d records clustered after the full run", len(clusterOf(t, got)))
	}
}

// A person model stored by another version (other comparison levels) must not break
// checks: the engine re-clusters, which fits and stores a model it can read.
func TestCheckRefitsUnreadableModel(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, 1000)
	lines := strings.Split(strings.TrimSpace(fixtures.Sample), "\n")
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines[1:], "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Store().PutMeta(ctx, metaPersonModel, []byte(`{"lambda":0.1,"m":[[0.5,0.5]],"u":[[0.5,0.5]],"names":3}`)); err != nil {
		t.Fatal(err)
	}
	fresh := New(e.Store(), &Options{BatchSize: 1000}) // no model in memory
	rec, err := ingest.Parse([]byte(lines[0]), 1)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := fresh.Check(ctx, rec)
	if err != nil {
		t.Fatalf("check with an unreadable stored model: %v", err)
	}
	if res.PersonCluster == "" || res.OperatorCluster == "" {
		t.Fatalf("check answered no clusters: %+v", res)
	}
	raw, err := e.Store().Meta(ctx, metaPersonModel)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := unmarshalModel(raw); err != nil {
		t.Fatalf("the full run did not store a readable model: %v", err)
	}
}
