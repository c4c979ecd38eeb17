package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

// writeClusters stores one cluster per level holding ids.
func writeClusters(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	ctx := context.Background()
	for i, l := range Levels() {
		w, err := s.ReplaceClusters(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Add(&Cluster{ID: l.String()[:1] + "-1", Records: ids}); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(i == len(Levels())-1); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"plain", nil},
		{"encrypted", testKey(9)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.TempDir(), &Options{EncryptionKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, batch := range [][]string{{recA1, recB, secretRec}, {recA2}} {
				var puts []Put
				for _, l := range batch {
					puts = append(puts, mustParse(t, l))
				}
				if _, err := s.PutBatch(ctx, puts); err != nil {
					t.Fatal(err)
				}
			}
			writeClusters(t, s, "a", "b")
			var buf bytes.Buffer
			st, err := s.Backup(ctx, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if st.Keys == 0 {
				t.Fatal("empty backup")
			}
			if leaked := bytes.Contains(buf.Bytes(), []byte(secretEmail)); leaked != (tc.key == nil) {
				t.Fatalf("e-mail in backup bytes: %v", leaked)
			}

			dir := filepath.Join(t.TempDir(), "restored")
			rst, err := Restore(ctx, dir, bytes.NewReader(buf.Bytes()), &Options{EncryptionKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			if rst != st {
				t.Fatalf("restored %+v, backed up %+v", rst, st)
			}
			r, err := Open(dir, &Options{EncryptionKey: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := r.Check(ctx); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"a", "b", "enc-1"} {
				want, _ := s.Record(ctx, id)
				got, err := r.Record(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if got.Version != want.Version || !bytes.Equal(got.JSON, want.JSON) || len(got.Identifiers) != len(want.Identifiers) ||
					got.Clusters[Person] != want.Clusters[Person] || got.Clusters[Operator] != want.Clusters[Operator] {
					t.Fatalf("record %s: got %+v, want %+v", id, got, want)
				}
			}
			if vs, err := r.Versions(ctx, "a"); err != nil || len(vs) != 2 {
				t.Fatalf("versions: %v %v", vs, err)
			}
			if h, _ := r.Holders(ctx, ingest.KindDevice, "d1"); !slices.Equal(h, []string{"a", "b"}) {
				t.Fatalf("device postings: %v", h)
			}
			if c, err := r.Cluster(ctx, Operator, "o-1"); err != nil || !slices.Equal(c.Records, []string{"a", "b"}) {
				t.Fatalf("cluster: %+v %v", c, err)
			}
			if stale, _ := r.ClustersStale(ctx); stale {
				t.Fatal("restored clusters stale")
			}
			hits, err := r.SearchNames(ctx, "quoxtabel", 5)
			if err != nil || len(hits) != 1 || hits[0].RecordID != "enc-1" {
				t.Fatalf("search after restore: %v %v", hits, err)
			}
			// Restored records are the same content: putting them again changes nothing.
			res, err := r.PutBatch(ctx, []Put{mustParse(t, recA2)})
			if err != nil || res[0] != Unchanged {
				t.Fatalf("re-put after restore: %v %v", res, err)
			}
		})
	}
}

func TestRestoreRejects(t *testing.T) {
	ctx := context.Background()
	backup := func(key []byte) []byte {
		s, err := Open("", &Options{InMemory: true, EncryptionKey: key})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var puts []Put
		for i := range 3000 { // several chunks
			puts = append(puts, mustParse(t, fmt.Sprintf(`{"record_id":"r%d","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Person %d","cv_text":"%0400d"}`, i, i, i)))
		}
		if _, err := s.PutBatch(ctx, puts); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := s.Backup(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	plain, sealed := backup(nil), backup(testKey(3))
	flip := func(b []byte, at int) []byte {
		c := bytes.Clone(b)
		c[at] ^= 0x40
		return c
	}
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		key  []byte
		dir  string
		want error
	}{
		{"not a backup", []byte("hello, world, this is not a backup file at all"), nil, "", ErrBadBackup},
		{"truncated plain", plain[:len(plain)-100], nil, "", ErrBadBackup},
		{"truncated at chunk end", plain[:backupHeaderLen+5+backupChunk+4], nil, "", ErrBadBackup},
		{"altered plain", flip(plain, len(plain)/2), nil, "", ErrBadBackup},
		{"trailing data", append(bytes.Clone(plain), 0), nil, "", ErrBadBackup},
		{"encrypted without key", sealed, nil, "", ErrKeyNeeded},
		{"encrypted wrong key", sealed, testKey(4), "", ErrWrongKey},
		{"altered encrypted", flip(sealed, len(sealed)-10), testKey(3), "", ErrBadBackup},
		{"truncated encrypted", sealed[:len(sealed)-1], testKey(3), "", ErrBadBackup},
		{"target not empty", plain, nil, full, ErrNotEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = filepath.Join(t.TempDir(), "d")
			}
			_, err := Restore(ctx, dir, bytes.NewReader(tc.data), &Options{EncryptionKey: tc.key})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// The untouched backups restore.
	for _, tc := range []struct {
		data []byte
		key  []byte
	}{{plain, nil}, {sealed, testKey(3)}} {
		dir := filepath.Join(t.TempDir(), "ok")
		st, err := Restore(ctx, dir, bytes.NewReader(tc.data), &Options{EncryptionKey: tc.key})
		if err != nil || st.Keys < 3000 {
			t.Fatalf("restore: %+v %v", st, err)
		}
	}
}

// TestBackupOnline backs up while another goroutine writes: the backup is one snapshot,
// so the restored store is consistent and holds a prefix of the batches.
func TestBackupOnline(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	batches := make([][]Put, 40)
	for b := range batches {
		for i := range 50 {
			n := b*50 + i
			batches[b] = append(batches[b], mustParse(t, fmt.Sprintf(`{"record_id":"r%05d","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"P %d","emails":["p%d@x.example"],"devices":[{"fingerprint":"dev%d"}]}`, n, n, n, n%7)))
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var writeErr error
	go func() {
		defer wg.Done()
		for _, puts := range batches {
			if _, err := s.PutBatch(ctx, puts); err != nil {
				writeErr = err
				return
			}
		}
	}()
	var buf bytes.Buffer
	if _, err := s.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	dir := filepath.Join(t.TempDir(), "r")
	if _, err := Restore(ctx, dir, &buf, nil); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Check(ctx); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := r.ForEachRecord(ctx, func(string, uint32) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n%50 != 0 {
		t.Fatalf("restored %d records: not whole batches", n)
	}
}

// TestMissingIndexRebuilt deletes the index directory, as an interrupted rebuild or an
// operator would: Open rebuilds it from the records, and Reindex keeps search working.
func TestMissingIndexRebuilt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTemp(t, dir)
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA1), mustParse(t, recB)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "index.bleve")); err != nil {
		t.Fatal(err)
	}
	s = openTemp(t, dir)
	defer s.Close()
	for _, step := range []string{"open", "reindex"} {
		if step == "reindex" {
			if n, err := s.Reindex(ctx); err != nil || n != 2 {
				t.Fatalf("reindex: %d %v", n, err)
			}
		}
		hits, err := s.SearchNames(ctx, "Bo Chan", 5)
		if err != nil || len(hits) == 0 || hits[0].RecordID != "b" {
			t.Fatalf("search after %s: %v %v", step, hits, err)
		}
	}
}
