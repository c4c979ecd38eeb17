package graph

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// bulkFill hands puts to add in chunks of the given size.
func bulkFill(puts []Put, chunk int) func(add func([]Put) error) error {
	return func(add func([]Put) error) error {
		for lo := 0; lo < len(puts); lo += chunk {
			if err := add(puts[lo:min(lo+chunk, len(puts))]); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestBulkIndexAgrees builds an index offline, in segments of 100 records merged three
// at a time, and wants it to answer every query as an index filled batch by batch does,
// before and after reopening, in plain and encrypted stores, on disk and in memory.
func TestBulkIndexAgrees(t *testing.T) {
	puts := docTestPuts(t, 300)
	queries := searchQueries(puts)
	for _, enc := range []bool{false, true} {
		for _, onDisk := range []bool{true, false} {
			name := encName(enc) + "/memory"
			if onDisk {
				name = encName(enc) + "/disk"
			}
			t.Run(name, func(t *testing.T) {
				var hasher *tokenHasher
				if enc {
					hasher = newTokenHasher(testKey(8))
				}
				dir := t.TempDir()
				path := func(name string) string {
					if !onDisk {
						return ""
					}
					return filepath.Join(dir, name)
				}
				inc, _, err := openNameIndex(path("inc.bleve"), hasher)
				if err != nil {
					t.Fatal(err)
				}
				defer inc.close()
				for lo := 0; lo < len(puts); lo += 200 {
					if err := inc.indexRecords(puts[lo:min(lo+200, len(puts))]); err != nil {
						t.Fatal(err)
					}
				}
				bulk, _, err := openNameIndex(path("bulk.bleve"), hasher)
				if err != nil {
					t.Fatal(err)
				}
				bulk.bulkBatch, bulk.bulkMergeMax = 100, 3
				// Something to replace: the bulk index must not keep it.
				if err := bulk.indexRecords(puts[:1]); err != nil {
					t.Fatal(err)
				}
				if err := bulk.bulkIndex(bulkFill(puts[1:], 77)); err != nil {
					t.Fatal(err)
				}
				// Records indexed after the bulk build go to the new index as usual.
				if err := bulk.indexRecords(puts[:1]); err != nil {
					t.Fatal(err)
				}
				compareSearches(t, queries, inc, bulk)
				sameDocCount(t, inc, bulk)
				if !onDisk {
					return
				}
				if _, err := os.Stat(path("bulk.bleve") + rebuildSuffix); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("rebuild directory left: %v", err)
				}
				if err := bulk.close(); err != nil {
					t.Fatal(err)
				}
				bulk, created, err := openNameIndex(path("bulk.bleve"), hasher)
				if err != nil {
					t.Fatal(err)
				}
				defer bulk.close()
				if created {
					t.Fatal("the bulk-built index was not accepted on reopen")
				}
				compareSearches(t, queries, inc, bulk)
				sameDocCount(t, inc, bulk)
			})
		}
	}
}

// sameDocCount wants got to hold as many documents as want: the placeholder document
// the root was written with is not among them.
func sameDocCount(t *testing.T, want, got *nameIndex) {
	t.Helper()
	w, err := want.idx.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	g, err := got.idx.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	if g != w {
		t.Fatalf("%d documents, want %d", g, w)
	}
}

// TestBulkIndexEmptyAndFailed builds an index of no records, which the offline builder
// cannot write, and one whose fill fails: the first is an empty index that reopens, the
// second leaves the old index in place and nothing beside it.
func TestBulkIndexEmptyAndFailed(t *testing.T) {
	puts := docTestPuts(t, 5)
	path := filepath.Join(t.TempDir(), "index.bleve")
	n, _, err := openNameIndex(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.bulkIndex(bulkFill(nil, 1)); err != nil {
		t.Fatal(err)
	}
	if c, err := n.idx.DocCount(); err != nil || c != 0 {
		t.Fatalf("empty bulk index: %d documents, %v", c, err)
	}
	if err := n.bulkIndex(bulkFill(puts, 3)); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = n.bulkIndex(func(add func([]Put) error) error {
		if err := add(puts[:2]); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed fill: %v", err)
	}
	if _, err := os.Stat(path + rebuildSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("rebuild directory left after a failed fill: %v", err)
	}
	want := uint64(0)
	for _, p := range puts {
		if d := n.newDocBuilder(nil).build(p.Record, p.Identifiers); d != nil {
			want++
		}
	}
	if c, err := n.idx.DocCount(); err != nil || c != want {
		t.Fatalf("after a failed fill: %d documents, want the %d of before; %v", c, want, err)
	}
	if err := n.close(); err != nil {
		t.Fatal(err)
	}
	n, created, err := openNameIndex(path, nil)
	if err != nil || created {
		t.Fatalf("reopen: created %v, %v", created, err)
	}
	defer n.close()
	if c, err := n.idx.DocCount(); err != nil || c != want {
		t.Fatalf("reopened: %d documents, want %d; %v", c, want, err)
	}
}
