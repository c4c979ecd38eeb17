package engine

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// randomSketches returns n sketches of which some copy part of an earlier one, so that
// bands are shared by twos and threes as well as not at all.
func randomSketches(rng *rand.Rand, n int) map[int32]*cvSketch {
	all := make([]cvSketch, n)
	cv := make(map[int32]*cvSketch, n)
	for i := range all {
		for j := range all[i] {
			all[i][j] = uint16(rng.Uint32())
		}
		if i > 0 && rng.IntN(3) == 0 {
			src := &all[rng.IntN(i)]
			for j := range all[i] {
				if rng.IntN(4) != 0 {
					all[i][j] = src[j]
				}
			}
		}
		if rng.IntN(5) != 0 { // some records have no CV
			cv[int32(i)] = &all[i]
		}
	}
	return cv
}

// forEachSharedBand lists exactly the bands held by two or more records, each with all
// its holders, as grouping every record's bands in a map does.
func TestForEachSharedBandMatchesMap(t *testing.T) {
	cv := randomSketches(rand.New(rand.NewPCG(1, 2)), 3000)
	want := map[string][]int32{}
	for _, r := range slices.Sorted(maps.Keys(cv)) {
		for b, h := range ingest.CVBands((*[ingest.MinHashSize]uint16)(cv[r])) {
			v := ingest.CVBandValue(b, h)
			want[v] = append(want[v], r)
		}
	}
	maps.DeleteFunc(want, func(_ string, recs []int32) bool { return len(recs) < 2 })
	if len(want) < 100 {
		t.Fatalf("only %d shared bands: the test data shares too little", len(want))
	}
	got := map[string][]int32{}
	var order []string
	if err := forEachSharedBand(cv, func(v string, recs []int32) error {
		if _, dup := got[v]; dup {
			t.Errorf("band %s visited twice", v)
		}
		got[v] = recs
		order = append(order, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %d shared bands, want %d (or their holders differ)", len(got), len(want))
	}
	if !slices.IsSortedFunc(order, func(a, b string) int { return strings.Compare(a[:3], b[:3]) }) {
		t.Error("bands not visited in band order")
	}
}

// The band index finds, for every band, the records holding it, before and after its
// tails are merged, whichever order records came in.
func TestBandIndexCandidates(t *testing.T) {
	for _, where := range []string{"heap", "mapped"} {
		t.Run(where, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			cv := randomSketches(rng, 3*minBandTail)
			bi := &bandIndex{}
			if where == "mapped" {
				bi.dir = bandScratch(t.TempDir())
			}
			defer bi.close()
			holders := map[string][]string{}
			for _, r := range slices.Sorted(maps.Keys(cv)) {
				id := fmt.Sprintf("r%05d", r)
				if err := bi.add(id, (*[ingest.MinHashSize]uint16)(cv[r])); err != nil {
					t.Fatal(err)
				}
				for b, h := range ingest.CVBands((*[ingest.MinHashSize]uint16)(cv[r])) {
					v := ingest.CVBandValue(b, h)
					holders[v] = append(holders[v], id)
				}
			}
			if len(bi.sorted[0]) == 0 || len(bi.tail[0]) == 0 {
				t.Fatalf("sorted %d, tail %d entries: want both in use", len(bi.sorted[0]), len(bi.tail[0]))
			}
			if mapped := bi.mapped[0] != nil; mapped != (bi.dir != "") {
				t.Fatalf("band 0 mapped: %v, with a directory %q", mapped, bi.dir)
			}
			// Ids added since the build move to mapped files too, a batch at a time.
			if spilled := len(bi.ids.ends) > 0; spilled != (bi.dir != "") || bi.ids.len() != len(cv) {
				t.Fatalf("%d ids mapped, %d on the heap, of %d", len(bi.ids.ends), len(bi.ids.added), len(cv))
			}
			for v, want := range holders {
				b, h, ok := ingest.ParseCVBandValue(v)
				if !ok {
					t.Fatalf("ParseCVBandValue(%q) failed", v)
				}
				// Candidates agree on 32 bits: a superset of the holders, almost always equal.
				if got := bi.candidates(b, h); !isSubset(want, got) || len(got) > len(want)+1 {
					t.Fatalf("band %s: candidates %v, holders %v", v, got, want)
				}
			}
		})
	}
}

func isSubset(small, big []string) bool {
	for _, s := range small {
		if !slices.Contains(big, s) {
			return false
		}
	}
	return true
}

// cvRecord is a record whose CV is long enough to be sketched.
func cvRecord(id, given, family, email, cv string) string {
	return fmt.Sprintf(`{"record_id":%q,"source":"test","observed_at":"2025-01-01T00:00:00Z","name":{"given":%q,"family":%q},"emails":[%q],"cv_text":%q}`,
		id, given, family, email, cv)
}

const cvTemplate = "Senior Backend Engineer with nine years building payment platforms. " +
	"Staff Engineer, Harbor Labs, 2019-2024: rewrote the settlement service in Go and cut batch latency by 40%. " +
	"Senior Developer, Cobalt Cloud, 2015-2019: built the CI/CD pipeline, introduced contract tests and mentored four engineers. " +
	"Skills: Go, Rust, Kafka, PostgreSQL, Kubernetes, Terraform, gRPC."

// A record whose CV copies another's links to it at the operator level when it arrives
// alone (the incremental linker's band lookup), as a batch run links them, whether the
// band index was built from the store or grew with the ingest; a record stored again
// with another CV no longer holds its old bands.
func TestLinkFindsCopiedCV(t *testing.T) {
	ctx := context.Background()
	filler := []string{
		cvRecord("a", "Olena", "Kovalenko", "olena.k@example.org", cvTemplate),
		cvRecord("x", "Marta", "Nowak", "m.nowak@example.org", "Data analyst with a background in retail forecasting, Excel modelling and SQL reporting for regional supermarket chains across Poland."),
	}
	copyOf := cvRecord("b", "James", "Whitfield", "jwhitfield@example.com", strings.Replace(cvTemplate, "nine years", "eight years", 1))
	operatorOf := func(e *Engine, id string) string {
		t.Helper()
		c, ok := clusterOf(t, partition(t, e, graph.Operator))[id]
		if !ok {
			t.Fatalf("record %s in no operator cluster", id)
		}
		return c
	}
	link := func(e *Engine, line string) {
		t.Helper()
		before := e.linked
		if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(line), 0), &IngestOptions{Link: true}); err != nil {
			t.Fatal(err)
		}
		if e.linked != before+1 {
			t.Fatal("re-clustered instead of linking")
		}
	}

	// The batch links the copy: the test's premise.
	batch := newEngine(t, 1000)
	if _, err := batch.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(append(slices.Clone(filler), copyOf), "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	if operatorOf(batch, "a") != operatorOf(batch, "b") || operatorOf(batch, "a") == operatorOf(batch, "x") {
		t.Fatal("batch run: want a and b (one CV) together and x apart")
	}

	for _, built := range []string{"from the store", "during ingest", "from the store on disk", "during ingest on disk"} {
		t.Run(built, func(t *testing.T) {
			e := newEngine(t, 1000)
			if strings.HasSuffix(built, "on disk") {
				e = newDiskEngine(t, 1000) // the index in mapped files
			}
			if strings.HasPrefix(built, "during ingest") {
				if _, err := e.bandIndex(ctx); err != nil { // empty, then grows
					t.Fatal(err)
				}
			}
			if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(filler, "\n")), 0), nil); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(built, "during ingest") && e.bands.ids.len() != len(filler) {
				t.Fatalf("band index holds %d records, want %d", e.bands.ids.len(), len(filler))
			}
			link(e, copyOf)
			if operatorOf(e, "a") != operatorOf(e, "b") {
				t.Error("the copied CV was not linked one record at a time")
			}
			// a writes another CV: a new copy of the template finds b, not a.
			link(e, cvRecord("a", "Olena", "Kovalenko", "olena.k@example.org", "Primary school teacher, twelve years in Kharkiv, now retraining as a UX researcher through an evening course in London."))
			bands, err := e.bandIndex(ctx)
			if err != nil {
				t.Fatal(err)
			}
			lk := &linker{e: e, states: make(map[string]*graph.RecordState)}
			sk, _ := ingest.ParseCVSketch(ingest.CVIdentifiers(cvTemplate, "")[0].Value)
			values := []string{}
			for b, h := range ingest.CVBands(&sk) {
				if slices.Contains(bands.candidates(b, h), "a") {
					values = append(values, ingest.CVBandValue(b, h))
				}
			}
			if len(values) == 0 {
				t.Fatal("a's old bands left the index: the verification below tests nothing")
			}
			ids, _, err := lk.bandHolders(ctx, values, 0)
			if err != nil {
				t.Fatal(err)
			}
			for i, holders := range ids {
				if slices.Contains(holders, "a") {
					t.Errorf("band %s: a holds it after changing its CV (holders %v)", values[i], holders)
				}
			}
		})
	}
}

// The band index read from the store in one scan (ForEachIdentifierOfKind) holds what
// adding each stored record's sketch one by one gives.
func TestBandIndexFromStore(t *testing.T) {
	ctx := context.Background()
	lines := readLines(t, "../fixtures/t1-small/records.ndjson")
	for _, where := range []string{"in memory (heap)", "on disk (mapped)"} {
		t.Run(where, func(t *testing.T) {
			e := newEngine(t, 100)
			if where == "on disk (mapped)" {
				e = newDiskEngine(t, 100)
			}
			if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines, "\n")), 0), &IngestOptions{SkipCluster: true}); err != nil {
				t.Fatal(err)
			}
			built, err := e.bandIndex(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if mapped := built.mapped[0] != nil; mapped != (where == "on disk (mapped)" && mapsFiles) {
				t.Fatalf("mapped: %v", mapped)
			}
			want := &bandIndex{}
			if err := e.Store().ForEachRecord(ctx, func(id string, _ uint32) error {
				st, err := e.Store().Record(ctx, id)
				if err != nil {
					return err
				}
				return want.addPuts([]graph.Put{{Record: &ingest.Record{RecordID: id}, Identifiers: st.Identifiers}})
			}); err != nil {
				t.Fatal(err)
			}
			for b := range want.tail {
				if err := want.merge(b); err != nil {
					t.Fatal(err)
				}
			}
			if built.ids.len() < 100 || built.ids.len() != want.ids.len() {
				t.Fatalf("built from the store: %d records; one by one: %d", built.ids.len(), want.ids.len())
			}
			for o := range want.ids.len() {
				if built.ids.at(o) != want.ids.at(o) {
					t.Fatalf("ordinal %d: %q built, %q one by one", o, built.ids.at(o), want.ids.at(o))
				}
			}
			for b := range built.sorted {
				if !slices.Equal(built.sorted[b], want.sorted[b]) || len(built.tail[b]) != 0 {
					t.Errorf("band %d: entries differ", b)
				}
			}
			// Nothing is left in the data directory: the files were unlinked once mapped.
			if dir := e.Store().Dir(); dir != "" {
				if left, _ := filepath.Glob(filepath.Join(dir, bandScratchPattern)); len(left) != 0 {
					t.Fatalf("left behind: %v", left)
				}
			}
			if err := e.Close(); err != nil || e.bands != nil {
				t.Fatalf("close: %v, index %v", err, e.bands)
			}
		})
	}
}

// A band held by more records than the limit: bandHolders returns limit of them and
// says there are more, reading no more than it needs (a template's band can have
// thousands of holders), and it skips stale entries without coming up short.
func TestBandHoldersLimit(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, 100)
	var lines []string
	for i := range 12 {
		lines = append(lines, cvRecord(fmt.Sprintf("r%02d", i), "Given"+strings.Repeat("x", i), "Family", fmt.Sprintf("p%d@example.org", i), cvTemplate))
	}
	// r00 to r02 then move to other CVs: their entries under the template's bands go stale.
	for i := range 3 {
		lines = append(lines, cvRecord(fmt.Sprintf("r%02d", i), "Given"+strings.Repeat("x", i), "Family", fmt.Sprintf("p%d@example.org", i),
			fmt.Sprintf("Warehouse supervisor number %d, forklift certified, night shifts in Leeds and Bradford distribution centres for eleven years.", i)))
	}
	if _, err := e.bandIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines, "\n")), 0), &IngestOptions{SkipCluster: true}); err != nil {
		t.Fatal(err)
	}
	sk, _ := ingest.ParseCVSketch(ingest.CVIdentifiers(cvTemplate, "")[0].Value)
	band := ingest.CVBandValue(0, ingest.CVBands(&sk)[0])
	for _, tt := range []struct {
		limit int
		want  int
		more  bool
	}{{0, 9, false}, {5, 5, true}, {9, 9, false}, {8, 8, true}} {
		lk := &linker{e: e, states: make(map[string]*graph.RecordState)}
		ids, more, err := lk.bandHolders(ctx, []string{band}, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids[0]) != tt.want || more[0] != tt.more || slices.ContainsFunc(ids[0], func(id string) bool { return id < "r03" }) {
			t.Errorf("limit %d: holders %v, more %v; want %d of r03-r11, more %v", tt.limit, ids[0], more[0], tt.want, tt.more)
		}
		if tt.limit > 0 && len(lk.states) > 3+tt.limit+1 {
			t.Errorf("limit %d: read %d records", tt.limit, len(lk.states))
		}
	}
}
