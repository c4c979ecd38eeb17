package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// bulkInput is records for the bulk tests: the crash test's generated records with
// blocking keys, followed by a record sent again unchanged, one sent again changed, and
// one changed twice.
func bulkInput(t *testing.T, n int) []Put {
	t.Helper()
	path := filepath.Join(t.TempDir(), "records.ndjson")
	writeCrashInput(t, path, n)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := ingest.NewReader(f, 0)
	var puts []Put
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := Put{Record: rec, Identifiers: ingest.Identifiers(rec), Signals: uint32(len(puts) % 5)}
		if len(puts)%3 == 0 {
			// Shared blocking keys, in a few large blocks and many small ones.
			p.Blocks = []uint64{uint64(len(puts) % 7), 1000 + uint64(len(puts)/4)}
			p.BlockSort = rec.Name.Display()
		}
		puts = append(puts, p)
	}
	again := func(i int, change string) {
		line := string(puts[i].Record.Canonical)
		if change != "" {
			line = line[:len(line)-1] + `,"nationality":"` + change + `"}`
		}
		p := mustParse(t, line)
		p.Blocks, p.BlockSort, p.Signals = puts[i].Blocks, puts[i].BlockSort, puts[i].Signals
		puts = append(puts, p)
	}
	again(5, "")
	again(7, "FR")
	again(9, "DE")
	again(9, "ES")
	return puts
}

// dumpStore returns every key and value of the store's Badger, sorted.
func dumpStore(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().Key())] = string(v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func putAll(t *testing.T, s *Store, puts []Put) map[PutResult]int {
	t.Helper()
	counts := map[PutResult]int{}
	for i := 0; i < len(puts); i += 100 {
		res, err := s.PutBatch(context.Background(), puts[i:min(i+100, len(puts))])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			counts[r]++
		}
	}
	return counts
}

func bulkAll(t *testing.T, s *Store, puts []Put, opts *BulkOptions) BulkStats {
	t.Helper()
	ctx := context.Background()
	l, err := s.BulkLoad(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(puts); i += 100 {
		if err := l.Add(ctx, puts[i:min(i+100, len(puts))]); err != nil {
			t.Fatal(err)
		}
	}
	st, err := l.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// sameStores checks that two stores hold the same keys and values, and that their
// indexes find the same records.
func sameStores(t *testing.T, want, got *Store) {
	t.Helper()
	w, g := dumpStore(t, want), dumpStore(t, got)
	if len(w) != len(g) {
		t.Errorf("%d keys after PutBatch, %d after the bulk load", len(w), len(g))
	}
	shown := 0
	for k, v := range w {
		if gv, ok := g[k]; !ok || gv != v {
			if shown++; shown <= 5 {
				t.Errorf("key %q: PutBatch wrote %q, the bulk load %q (present %v)", k, v, gv, ok)
			}
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			if shown++; shown <= 10 {
				t.Errorf("key %q only after the bulk load", k)
			}
		}
	}
	ctx := context.Background()
	for _, q := range []string{"Chen Okafor", "Dmitri Ivanova", "user17@mail17.example", "+14155550042", "experienced engineer", "Farah Novak"} {
		wh, err1 := want.Search(ctx, q, 5000)
		gh, err2 := got.Search(ctx, q, 5000)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		ids := func(hs []Hit) []string {
			var out []string
			for _, h := range hs {
				out = append(out, h.RecordID)
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(ids(wh), ids(gh)) || len(wh) == 0 {
			t.Errorf("search %q: PutBatch store finds %v, bulk-loaded store %v", q, ids(wh), ids(gh))
		}
	}
}

func TestBulkLoadEqualsPutBatch(t *testing.T) {
	puts := bulkInput(t, 1500)
	want := openTemp(t, t.TempDir())
	defer want.Close()
	counts := putAll(t, want, puts)

	for _, tc := range []struct {
		name string
		key  []byte
		opts BulkOptions
	}{
		{name: "in memory", opts: BulkOptions{}},
		{name: "spilled runs", opts: BulkOptions{Memory: 64 << 10}},
		{name: "encrypted spilled runs", key: testKey(7), opts: BulkOptions{Memory: 64 << 10}},
		{name: "past MaxDeferred", opts: BulkOptions{Memory: 64 << 10, MaxDeferred: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			got, err := Open(dir, &Options{EncryptionKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			st := bulkAll(t, got, puts, &tc.opts)
			if st.New != counts[New] || st.Updated != counts[Updated] || st.Unchanged != counts[Unchanged] {
				t.Errorf("bulk load counted %+v, PutBatch %v", st, counts)
			}
			if tc.key == nil {
				sameStores(t, want, got)
			}
			if err := got.Check(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := got.Close(); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{bulkMarker, bulkSortDir} {
				if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s left after the load: %v", name, err)
				}
			}
			// Reopened, it is an ordinary store: versions, postings and writes work.
			got, err = Open(dir, &Options{EncryptionKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			if tc.key == nil {
				sameStores(t, want, got)
			}
			vs, err := got.Versions(context.Background(), puts[9].Record.RecordID)
			if err != nil || len(vs) != 3 {
				t.Fatalf("versions of a record changed twice in the load: %v %v", vs, err)
			}
			if h, err := got.Holders(context.Background(), ingest.KindDevice, "dev-3"); err != nil || len(h) != 7 {
				t.Fatalf("holders of a shared device: %v %v", h, err)
			}
			res, err := got.PutBatch(context.Background(), puts[:3])
			if err != nil || !slices.Equal(res, []PutResult{Unchanged, Unchanged, Unchanged}) {
				t.Fatalf("records of the load sent again: %v %v", res, err)
			}
		})
	}
}

func TestBulkLoadNeedsEmptyStoreAndAbortEmpties(t *testing.T) {
	ctx := context.Background()
	puts := bulkInput(t, 300)
	s := openTemp(t, t.TempDir())
	defer s.Close()

	l, err := s.BulkLoad(ctx, &BulkOptions{Memory: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(ctx, puts[:200]); err != nil {
		t.Fatal(err)
	}
	if err := l.Abort(); err != nil {
		t.Fatal(err)
	}
	if n := len(dumpStore(t, s)); n != 0 {
		t.Fatalf("%d keys after an aborted load", n)
	}
	if hits, err := s.Search(ctx, "Chen Okafor", 10); err != nil || len(hits) != 0 {
		t.Fatalf("search after an aborted load: %v %v", hits, err)
	}

	bulkAll(t, s, puts[:100], nil)
	if _, err := s.BulkLoad(ctx, nil); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("bulk load into a store with records: %v", err)
	}
	if n := countRecords(t, s); n != 100 {
		t.Fatalf("%d records, want 100", n)
	}
	if _, err := openBulkInMemory(); err == nil {
		t.Fatal("bulk load into an in-memory store: no error")
	}
}

func openBulkInMemory() (*BulkLoader, error) {
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.BulkLoad(context.Background(), nil)
}

func TestKVSorter(t *testing.T) {
	for _, encrypt := range []bool{false, true} {
		t.Run(fmt.Sprint("encrypt=", encrypt), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sort")
			s, err := newKVSorter(dir, 4<<10, encrypt)
			if err != nil {
				t.Fatal(err)
			}
			want := map[byte]map[string]string{}
			for i := range 3000 {
				prefix := "IRV"[i%3]
				k := fmt.Sprintf("%c%08d", prefix, (i*7919)%2000) // repeats keys
				v := fmt.Sprintf("SECRET-%d", (i*7919)%2000)
				if want[prefix] == nil {
					want[prefix] = map[string]string{}
				}
				want[prefix][k] = v
				if err := s.add([]byte(k), []byte(v)); err != nil {
					t.Fatal(err)
				}
			}
			s.spilling.Wait()
			runs, _ := filepath.Glob(filepath.Join(dir, "run-*"))
			if len(runs) < 5 {
				t.Fatalf("%d runs: the budget should have spilled more", len(runs))
			}
			for _, r := range runs {
				b, _ := os.ReadFile(r)
				if bytes.Contains(b, []byte("SECRET")) == encrypt {
					t.Fatalf("run %s: plain values present = %v with encrypt = %v", r, !encrypt, encrypt)
				}
			}
			if got := s.prefixes(); string(got) != "IRV" {
				t.Fatalf("prefixes %q", got)
			}
			for prefix, m := range want {
				var keys []string
				if err := s.each(prefix, func(k, v []byte) error {
					if m[string(k)] != string(v) {
						return fmt.Errorf("key %q: value %q, want %q", k, v, m[string(k)])
					}
					keys = append(keys, string(k))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if !slices.IsSorted(keys) || len(keys) != len(m) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
					t.Fatalf("prefix %c: %d keys out (sorted %v), want %d distinct", prefix, len(keys), slices.IsSorted(keys), len(m))
				}
			}
			if err := s.close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("sort directory left: %v", err)
			}
		})
	}
}

// FuzzKVSorter feeds arbitrary pairs through a tiny budget and checks the merge against
// an in-memory sort.
func FuzzKVSorter(f *testing.F) {
	f.Add([]byte("I\x00abc\x01Ixyz\x02Rk\x00Ik"), uint16(16))
	f.Add([]byte("Rb\x00Ra\x00Rb\x00Vq"), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, budget uint16) {
		s, err := newKVSorter(filepath.Join(t.TempDir(), "sort"), int(budget), budget%2 == 1)
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		want := map[byte][]string{}
		for _, key := range bytes.Split(data, []byte{0}) {
			if len(key) == 0 {
				continue
			}
			// The value is a function of the key, as postings' empty values are.
			if err := s.add(key, key[len(key)/2:]); err != nil {
				t.Fatal(err)
			}
			want[key[0]] = append(want[key[0]], string(key))
		}
		for prefix, keys := range want {
			slices.Sort(keys)
			keys = slices.Compact(keys)
			var got []string
			if err := s.each(prefix, func(k, v []byte) error {
				if !bytes.Equal(v, k[len(k)/2:]) {
					t.Fatalf("key %q came with value %q", k, v)
				}
				got = append(got, string(k))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, keys) {
				t.Fatalf("prefix %q: got %q, want %q", prefix, got, keys)
			}
		}
	})
}

// TestBulkLoadFinishFailsCleanly cancels a load while it streams into Badger: Finish
// returns the error, and the store is empty and takes a new load.
func TestBulkLoadFinishFailsCleanly(t *testing.T) {
	puts := bulkInput(t, 1500)
	s := openTemp(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := s.BulkLoad(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(ctx, puts[:1500]); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := l.Finish(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Finish after cancel: %v", err)
	}
	if n := len(dumpStore(t, s)); n != 0 {
		t.Fatalf("%d keys after a failed load", n)
	}
	bulkAll(t, s, puts[:100], nil)
	if n := countRecords(t, s); n != 100 {
		t.Fatalf("%d records after a new load, want 100", n)
	}
}

// TestBulkLoadIndexFailsAfterFinish has the index build fail after Finish returned (the
// build goes on after it): the records stay, Close reports the failure, and the next
// open rebuilds the index from them.
func TestBulkLoadIndexFailsAfterFinish(t *testing.T) {
	puts := bulkInput(t, 300)
	dir := t.TempDir()
	s := openTemp(t, dir)
	fault := errors.New("index fault")
	s.index.buildFault = fault
	bulkAll(t, s, puts, nil)
	if err := s.Close(); !errors.Is(err, fault) {
		t.Fatalf("Close after a failed index build: %v", err)
	}
	s = openTemp(t, dir)
	defer s.Close()
	if n := countRecords(t, s); n != 300 {
		t.Fatalf("%d records, want 300", n)
	}
	hits, err := s.Search(context.Background(), puts[42].Record.Name.Display(), 50)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(hits, func(h Hit) bool { return h.RecordID == puts[42].Record.RecordID }) {
		t.Fatalf("the rebuilt index does not find %s by its name: %v", puts[42].Record.RecordID, hits)
	}
}

// TestIndexCompleteAgainAfterRebuild: an index a failed bulk build left incomplete is
// complete again once rebuilt, and a clean close then removes its marker.
func TestIndexCompleteAgainAfterRebuild(t *testing.T) {
	puts := bulkInput(t, 100)
	dir := t.TempDir()
	s := openTemp(t, dir)
	s.index.buildFault = errors.New("index fault")
	bulkAll(t, s, puts, nil)
	if err := s.waitIndex(); err == nil {
		t.Fatal("the faulty build did not fail")
	}
	s.index.buildFault = nil
	if _, err := s.Reindex(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.building.Store(nil) // the failed build is superseded; Close would report it
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.bleve"+dirtySuffix)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("marker left after a rebuild and a clean close: %v", err)
	}
}
