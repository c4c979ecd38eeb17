package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

func mustParse(t *testing.T, line string) Put {
	t.Helper()
	rec, err := ingest.Parse([]byte(line), 1)
	if err != nil {
		t.Fatal(err)
	}
	return Put{Record: rec, Identifiers: ingest.Identifiers(rec)}
}

func openTemp(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	recA1 = `{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ann Lee","emails":["ann@example.com"],"devices":[{"fingerprint":"D1"}]}`
	// The same content with other key order and spacing: unchanged.
	recA1b = `{"source":"s", "observed_at":"2026-01-01T00:00:00Z", "record_id":"a", "devices":[{"fingerprint":"D1"}], "emails":["ann@example.com"], "name":"Ann Lee"}`
	// New content: a new version whose identifiers replace the old ones.
	recA2 = `{"record_id":"a","source":"s","observed_at":"2026-02-01T00:00:00Z","name":"Ann Lee","emails":["ann.lee@example.com"],"devices":[{"fingerprint":"D1"}]}`
	recB  = `{"record_id":"b","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Bo Chan","devices":[{"fingerprint":"d1"}]}`
)

func TestVersionsUnchangedAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTemp(t, dir)
	res, err := s.PutBatch(ctx, []Put{mustParse(t, recA1), mustParse(t, recB)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res, []PutResult{New, New}) {
		t.Fatalf("first put: %v", res)
	}
	res, err = s.PutBatch(ctx, []Put{mustParse(t, recA1b), mustParse(t, recB)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res, []PutResult{Unchanged, Unchanged}) {
		t.Fatalf("same content again: %v", res)
	}
	if vs, err := s.Versions(ctx, "a"); err != nil || len(vs) != 1 {
		t.Fatalf("after an unchanged put: %d versions, %v", len(vs), err)
	}
	// Same id twice in one batch: the second sees the first.
	res, err = s.PutBatch(ctx, []Put{mustParse(t, recA2), mustParse(t, recA2)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res, []PutResult{Updated, Unchanged}) {
		t.Fatalf("new content: %v", res)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTemp(t, dir)
	defer s.Close()
	r, err := s.Record(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != 2 {
		t.Fatalf("version after reopen: %d", r.Version)
	}
	vs, err := s.Versions(ctx, "a")
	if err != nil || len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 {
		t.Fatalf("versions after reopen: %+v %v", vs, err)
	}
	if string(vs[1].JSON) != string(r.JSON) {
		t.Fatalf("current JSON differs from the last version")
	}
	// Postings follow the current version: the old e-mail is gone, the new one is there.
	if h, _ := s.Holders(ctx, ingest.KindEmail, "ann@example.com"); len(h) != 0 {
		t.Fatalf("old e-mail still posted: %v", h)
	}
	if h, _ := s.Holders(ctx, ingest.KindEmail, "ann.lee@example.com"); !slices.Equal(h, []string{"a"}) {
		t.Fatalf("new e-mail holders: %v", h)
	}
	if h, _ := s.Holders(ctx, ingest.KindDevice, "d1"); !slices.Equal(h, []string{"a", "b"}) {
		t.Fatalf("device holders: %v", h)
	}
	var shared [][]string
	if err := s.ForEachShared(ctx, ingest.KindDevice, func(v string, recs []string) error {
		shared = append(shared, slices.Clone(recs))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(shared) != 1 || !slices.Equal(shared[0], []string{"a", "b"}) {
		t.Fatalf("shared devices: %v", shared)
	}
	if _, err := s.Record(ctx, "zzz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing record: %v", err)
	}
	hits, err := s.SearchNames(ctx, "Anne Lee", 10)
	if err != nil || len(hits) == 0 || hits[0].RecordID != "a" {
		t.Fatalf("search after reopen: %v %v", hits, err)
	}
}

func TestClusterRewriteClearsStale(t *testing.T) {
	ctx := context.Background()
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA1)}); err != nil {
		t.Fatal(err)
	}
	if stale, _ := s.ClustersStale(ctx); !stale {
		t.Fatal("a put must mark clusters stale")
	}
	for i, l := range Levels() {
		w, err := s.ReplaceClusters(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Add(&Cluster{ID: l.String()[:1] + "-1", Records: []string{"a"}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(i == len(Levels())-1); err != nil {
			t.Fatal(err)
		}
	}
	if stale, _ := s.ClustersStale(ctx); stale {
		t.Fatal("clusters still stale after a full rewrite")
	}
	r, err := s.Record(ctx, "a")
	if err != nil || r.Clusters[Person] != "p-1" || r.Clusters[Operator] != "o-1" {
		t.Fatalf("memberships: %v %v", r.Clusters, err)
	}
	c, err := s.Cluster(ctx, Operator, "o-1")
	if err != nil || c.Size != 1 || c.Level != "operator" {
		t.Fatalf("cluster: %+v %v", c, err)
	}
}

// TestPutBatchSplitsWhenTxnFull writes a batch far larger than one transaction of a small
// memtable can hold: every record must be stored whole (postings included), none half.
func TestPutBatchSplitsWhenTxnFull(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), &Options{MemTableSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var puts []Put
	for i := range 400 {
		line := fmt.Sprintf(`{"record_id":"r%03d","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Person %d",`+
			`"emails":["p%d@example.com"],"devices":[{"fingerprint":"dev%d"}],"cv_text":%q}`,
			i, i, i, i%7, strings.Repeat(fmt.Sprintf("word%d ", i), 900))
		puts = append(puts, mustParse(t, line))
	}
	res, err := s.PutBatch(ctx, puts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r != New {
			t.Fatalf("record %d: %v", i, r)
		}
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("store inconsistent after split batches: %v", err)
	}
	for i := range 400 {
		h, err := s.Holders(ctx, ingest.KindEmail, fmt.Sprintf("p%d@example.com", i))
		if err != nil || len(h) != 1 {
			t.Fatalf("record %d: e-mail holders %v %v", i, h, err)
		}
	}
	// The same batch again: all unchanged, nothing written twice.
	res, err = s.PutBatch(ctx, puts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r != Unchanged {
			t.Fatalf("second put, record %d: %v", i, r)
		}
	}
}

// TestClusterRewriteSweepsOldClusters merges two clusters in a second rewrite: the
// vanished cluster is deleted and the moved record's membership follows, while the
// unchanged parts are left as they were.
func TestClusterRewriteSweepsOldClusters(t *testing.T) {
	ctx := context.Background()
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA1), mustParse(t, recB)}); err != nil {
		t.Fatal(err)
	}
	write := func(cs ...*Cluster) {
		t.Helper()
		w, err := s.ReplaceClusters(ctx, Person)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if err := w.Add(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Commit(true); err != nil {
			t.Fatal(err)
		}
	}
	write(&Cluster{ID: "p-a", Records: []string{"a"}}, &Cluster{ID: "p-b", Records: []string{"b"}})
	write(&Cluster{ID: "p-a", Records: []string{"a", "b"}})
	if _, err := s.Cluster(ctx, Person, "p-b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("vanished cluster still there: %v", err)
	}
	c, err := s.Cluster(ctx, Person, "p-a")
	if err != nil || c.Size != 2 {
		t.Fatalf("merged cluster: %+v %v", c, err)
	}
	r, err := s.Record(ctx, "b")
	if err != nil || r.Clusters[Person] != "p-a" {
		t.Fatalf("membership of the moved record: %v %v", r.Clusters, err)
	}
	n := 0
	if err := s.ForEachCluster(ctx, Person, func(*Cluster) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("%d clusters after the merge, want 1 (%v)", n, err)
	}
}

// A rewrite writes the cluster and membership keys whose values changed and leaves the
// others as they were (same Badger version), at every level independently.
func TestClusterRewriteWritesOnlyChanges(t *testing.T) {
	ctx := context.Background()
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recC := strings.ReplaceAll(strings.ReplaceAll(recB, `"b"`, `"c"`), "Bo Chan", "Cy Diaz")
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA1), mustParse(t, recB), mustParse(t, recC)}); err != nil {
		t.Fatal(err)
	}
	write := func(l Level, cs ...*Cluster) {
		t.Helper()
		w, err := s.ReplaceClusters(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if err := w.Add(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Commit(true); err != nil {
			t.Fatal(err)
		}
	}
	versions := func() map[string]uint64 {
		t.Helper()
		out := map[string]uint64{}
		if err := s.db.View(func(txn *badger.Txn) error {
			for _, p := range [][]byte{membershipPrefix(Person), clusterPrefix(Person), membershipPrefix(Operator), clusterPrefix(Operator)} {
				it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
				for it.Rewind(); it.Valid(); it.Next() {
					out[string(it.Item().Key())] = it.Item().Version()
				}
				it.Close()
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	write(Person, &Cluster{ID: "p-a", Records: []string{"a"}}, &Cluster{ID: "p-b", Records: []string{"b", "c"}})
	write(Operator, &Cluster{ID: "o-a", Records: []string{"a", "b", "c"}})
	v1 := versions()
	// c moves to its own person cluster; p-b loses a member; the operator level is
	// rewritten as it was.
	write(Person, &Cluster{ID: "p-a", Records: []string{"a"}}, &Cluster{ID: "p-b", Records: []string{"b"}}, &Cluster{ID: "p-c", Records: []string{"c"}})
	write(Operator, &Cluster{ID: "o-a", Records: []string{"a", "b", "c"}})
	v2 := versions()
	changed := map[string]bool{
		string(membershipKey(Person, "c")): true,
		string(clusterKey(Person, "p-b")):  true,
		string(clusterKey(Person, "p-c")):  true,
	}
	for k, v := range v2 {
		if changed[k] != (v != v1[k]) {
			t.Errorf("key %q: version %d before, %d after; changed: %v", k, v1[k], v, changed[k])
		}
	}
	if r, err := s.Record(ctx, "c"); err != nil || r.Clusters[Person] != "p-c" || r.Clusters[Operator] != "o-a" {
		t.Fatalf("c's clusters: %v %v", r.Clusters, err)
	}
	if c, err := s.Cluster(ctx, Person, "p-b"); err != nil || c.Size != 1 {
		t.Fatalf("p-b after the rewrite: %+v %v", c, err)
	}
}

// ForEachShared lists exactly the values two or more records hold, each with all its
// holders, and nothing for values one record holds, whatever their order in the keys.
func TestForEachSharedSkipsSingleHolders(t *testing.T) {
	ctx := context.Background()
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var puts []Put
	// Device d0 held by r0..r2, d1 by r3 alone, d2 by r4 and r5, d3 by r6 alone: shared
	// and lone values alternate in key order.
	for i, d := range []string{"d0", "d0", "d0", "d1", "d2", "d2", "d3"} {
		puts = append(puts, mustParse(t, fmt.Sprintf(`{"record_id":"r%d","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"N %c","devices":[{"fingerprint":"%s"}]}`, i, 'a'+i, d)))
	}
	if _, err := s.PutBatch(ctx, puts); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	if err := s.ForEachShared(ctx, ingest.KindDevice, func(v string, recs []string) error {
		got[v] = slices.Clone(recs)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"d0": {"r0", "r1", "r2"}, "d2": {"r4", "r5"}}
	if len(got) != len(want) {
		t.Fatalf("shared devices %v, want %v", got, want)
	}
	for v, recs := range want {
		if !slices.Equal(got[v], recs) {
			t.Fatalf("shared devices %v, want %v", got, want)
		}
	}
}
