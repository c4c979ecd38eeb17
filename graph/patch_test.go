package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// Blocking-key postings follow a record's current version and go with it when it is
// forgotten.
func TestBlockPostings(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	a1, b := mustParse(t, recA1), mustParse(t, recB)
	a1.Blocks, b.Blocks = []uint64{1, 2}, []uint64{2, 3}
	if _, err := s.PutBatch(ctx, []Put{a1, b}); err != nil {
		t.Fatal(err)
	}
	holders := func(k uint64) []string {
		t.Helper()
		ids, more, err := s.BlockHolders(ctx, k, 0)
		if err != nil || more {
			t.Fatalf("block %d: more %v, %v", k, more, err)
		}
		return ids
	}
	if got := holders(2); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("block 2 holders %v", got)
	}
	if ids, more, err := s.BlockHolders(ctx, 2, 1); err != nil || !more || len(ids) != 1 {
		t.Fatalf("block 2 limited to 1: %v more %v, %v", ids, more, err)
	}
	a2 := mustParse(t, recA2)
	a2.Blocks = []uint64{3}
	if _, err := s.PutBatch(ctx, []Put{a2}); err != nil {
		t.Fatal(err)
	}
	if got := holders(1); len(got) != 0 {
		t.Fatalf("block 1 still held by %v after a's new version dropped it", got)
	}
	if got := holders(3); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("block 3 holders %v", got)
	}
	if _, err := s.Forget(ctx, []string{"a"}, "test"); err != nil {
		t.Fatal(err)
	}
	if got := holders(3); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("block 3 holders %v after forgetting a", got)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("check after forget: %v", err)
	}
}

// PatchClusters replaces clusters and memberships in one go and clears the stale marker
// only when asked.
func TestPatchClusters(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA1), mustParse(t, recB)}); err != nil {
		t.Fatal(err)
	}
	two := []*Cluster{{ID: "o-a", Records: []string{"a"}}, {ID: "o-b", Records: []string{"b"}}}
	if err := s.PatchClusters(ctx, []ClusterPatch{{Level: Operator, Put: two}}, false); err != nil {
		t.Fatal(err)
	}
	if stale, _ := s.ClustersStale(ctx); !stale {
		t.Fatal("stale marker cleared without being asked")
	}
	merged := &Cluster{ID: "o-a", Records: []string{"a", "b"}, Flags: []string{"shared_device"}}
	if err := s.PatchClusters(ctx, []ClusterPatch{{Level: Operator, Drop: []string{"o-b"}, Put: []*Cluster{merged}}}, true); err != nil {
		t.Fatal(err)
	}
	if stale, _ := s.ClustersStale(ctx); stale {
		t.Fatal("stale marker left after a clearing patch")
	}
	if _, err := s.Cluster(ctx, Operator, "o-b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dropped cluster: %v", err)
	}
	c, err := s.Cluster(ctx, Operator, "o-a")
	if err != nil || c.Size != 2 || c.Level != "operator" {
		t.Fatalf("merged cluster %+v, %v", c, err)
	}
	sts, err := s.RecordStates(ctx, []string{"b", "nobody", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 2 || sts[0].ID != "b" || sts[0].Operator != "o-a" || sts[1].Operator != "o-a" || sts[0].Person != "" {
		t.Fatalf("states %+v", sts)
	}
	if len(sts[1].Identifiers) == 0 {
		t.Fatal("state of a has no identifiers")
	}
	ms, err := s.Memberships(ctx, Operator, []string{"a", "b", "nobody"})
	if err != nil || !slices.Equal(ms, []string{"o-a", "o-a", ""}) {
		t.Fatalf("memberships %v, %v", ms, err)
	}
}

// Clusters reads many clusters at once, in parts, each where its id is, nil where an id
// names none.
func TestClustersBatch(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	var put []*Cluster
	var ids []string
	for i := range 5 * minPart {
		id := fmt.Sprintf("p-%03d", i)
		if i%7 == 3 {
			ids = append(ids, "p-missing-"+id)
			continue
		}
		put = append(put, &Cluster{ID: id, Records: []string{"r1-" + id, "r2-" + id}})
		ids = append(ids, id)
	}
	if err := s.PatchClusters(ctx, []ClusterPatch{{Level: Person, Put: put}}, false); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Clusters(ctx, Person, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(ids) {
		t.Fatalf("%d clusters for %d ids", len(cs), len(ids))
	}
	for i, id := range ids {
		missing := strings.HasPrefix(id, "p-missing-")
		switch {
		case missing && cs[i] != nil:
			t.Fatalf("%s: got %+v, want none", id, cs[i])
		case !missing && (cs[i] == nil || cs[i].ID != id || !slices.Equal(cs[i].Records, []string{"r1-" + id, "r2-" + id})):
			t.Fatalf("%s: got %+v", id, cs[i])
		}
	}
	if cs, err := s.Clusters(ctx, Operator, ids[:3]); err != nil || cs[0] != nil || cs[1] != nil {
		t.Fatalf("other level: %v, %v", cs, err)
	}
}

// HoldersBetween reads a numeric range of fixed-length values.
func TestHoldersBetween(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	var puts []Put
	for i, phone := range []string{"+447700900101", "+447700900105", "+447700900190", "+4477009001"} {
		p := mustParse(t, `{"record_id":"r`+string(rune('0'+i))+`","source":"s","observed_at":"2026-01-01T00:00:00Z","phones":["`+phone+`"]}`)
		puts = append(puts, p)
	}
	if _, err := s.PutBatch(ctx, puts); err != nil {
		t.Fatal(err)
	}
	hs, err := s.HoldersBetween(ctx, "phone", "+447700900090", "+447700900130", 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hs {
		ids = append(ids, h.RecordID)
	}
	if !slices.Equal(ids, []string{"r0", "r1"}) {
		t.Fatalf("holders in range: %+v", hs)
	}
}

// A block's postings are in sort order, and BlockNeighbours reads the nearest sort
// strings on both sides of one that need not be there.
func TestBlockNeighbours(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	names := []string{"ann lee", "bo chan", "cal dee", "dan eve", "eli fox", "fay gum"}
	var puts []Put
	for i, n := range names {
		p := mustParse(t, `{"record_id":"r`+string(rune('a'+i))+`","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"`+n+`"}`)
		p.Blocks, p.BlockSort = []uint64{7}, n
		puts = append(puts, p)
	}
	// Stored out of order: the order of the postings is the names'.
	slices.Reverse(puts)
	if _, err := s.PutBatch(ctx, puts); err != nil {
		t.Fatal(err)
	}
	ids, _, err := s.BlockHolders(ctx, 7, 0)
	if err != nil || !slices.Equal(ids, []string{"ra", "rb", "rc", "rd", "re", "rf"}) {
		t.Fatalf("block holders %v, %v", ids, err)
	}
	for _, c := range []struct {
		sort string
		n    int
		want []string
	}{
		{"cat", 2, []string{"rb", "rc", "rd", "re"}}, // "cal dee" < "cat" < "dan eve"
		{"cal dee", 1, []string{"rb", "rc"}},         // itself counts on the after side
		{"a", 2, []string{"ra", "rb"}},
		{"zed", 3, []string{"rd", "re", "rf"}},
	} {
		got, err := s.BlockNeighbours(ctx, 7, c.sort, c.n)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("neighbours of %q (%d a side): %v, %v; want %v", c.sort, c.n, got, err, c.want)
		}
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// Lists of records are read in the order asked: states with missing records left out,
// identifiers by index.
func TestRecordReadsKeepOrder(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	var puts []Put
	for i := range 90 {
		puts = append(puts, mustParse(t, fmt.Sprintf(`{"record_id":"r%02d","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Person %c%c","emails":["p%d@example.com"]}`, i, 'a'+i%26, 'a'+i/26, i)))
	}
	if _, err := s.PutBatch(ctx, puts); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 89; i >= 0; i -= 2 { // reverse order, with missing ids between
		ids = append(ids, fmt.Sprintf("r%02d", i), fmt.Sprintf("missing%d", i))
	}
	sts, err := s.RecordStates(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != len(ids)/2 {
		t.Fatalf("%d states for %d present records", len(sts), len(ids)/2)
	}
	for i, st := range sts {
		if st.ID != ids[2*i] || len(st.Identifiers) == 0 {
			t.Fatalf("state %d is %q with %d identifiers, want %q", i, st.ID, len(st.Identifiers), ids[2*i])
		}
	}
	emails := make([]string, len(ids))
	if err := s.EachIdentifierOf(ctx, ids, func(i int, kind ingest.Kind, value []byte) {
		if kind == ingest.KindEmail {
			emails[i] = string(value)
		}
	}); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		want := ""
		if i%2 == 0 {
			want = fmt.Sprintf("p%d@example.com", 89-i)
		}
		if emails[i] != want {
			t.Fatalf("ids[%d] = %s: e-mail %q, want %q", i, id, emails[i], want)
		}
	}
}

// eachPart hands every index to exactly one part, whatever the number of cores, and
// returns a part's error.
func TestEachPartCoversOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{0, 1, minPart - 1, minPart, 2*minPart + 1, 4*minPart + 3, 1000} {
		seen := make([]atomic.Int32, n)
		if err := eachPart(n, func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("n=%d: index %d read %d times", n, i, c)
			}
		}
	}
	boom := errors.New("boom")
	if err := eachPart(1000, func(lo, hi int) error {
		if lo > 0 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) {
		t.Fatalf("error of a part: %v", err)
	}
}

// A state's signals come from the identifier list, and from the record key for a list in
// the older format that has none.
func TestRecordStateSignals(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	a := mustParse(t, `{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ann Lee","emails":["ann@example.com"]}`)
	a.Signals = 0b1010
	b := mustParse(t, `{"record_id":"b","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Bob Lee","emails":["bob@example.com"]}`)
	b.Signals = 0b0110
	if _, err := s.PutBatch(ctx, []Put{a, b}); err != nil {
		t.Fatal(err)
	}
	// b's list rewritten as a store before version 2 wrote it.
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(recIdentKey("b"), encodeIdentifiersV1(b.Identifiers))
	}); err != nil {
		t.Fatal(err)
	}
	sts, err := s.RecordStates(ctx, []string{"a", "b"})
	if err != nil || len(sts) != 2 {
		t.Fatalf("states %+v, %v", sts, err)
	}
	if sts[0].Signals != a.Signals || sts[1].Signals != b.Signals || len(sts[1].Identifiers) != len(b.Identifiers) {
		t.Fatalf("signals %b and %b, want %b and %b", sts[0].Signals, sts[1].Signals, a.Signals, b.Signals)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
