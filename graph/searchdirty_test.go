package graph

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// An index left open by a process that died may lack its last batches (they persist
// after Batch returns): its marker file makes the next Open rebuild it from the store.
func TestUncleanIndexIsRebuilt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	idx := filepath.Join(dir, "index.bleve")
	s := openTemp(t, dir)
	if _, err := os.Stat(idx + dirtySuffix); err != nil {
		t.Fatalf("no marker while the index is open: %v", err)
	}
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(idx + dirtySuffix); !os.IsNotExist(err) {
		t.Fatalf("marker left after a clean close: %v", err)
	}
	// Keep the index as it was before b, as if b's batch never reached the disk.
	old := filepath.Join(t.TempDir(), "old")
	if err := os.CopyFS(old, os.DirFS(idx)); err != nil {
		t.Fatal(err)
	}
	s = openTemp(t, dir)
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recB)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(idx); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(idx, os.DirFS(old)); err != nil {
		t.Fatal(err)
	}
	if err := markDirty(idx); err != nil {
		t.Fatal(err)
	}
	s = openTemp(t, dir)
	defer s.Close()
	hits, err := s.SearchNames(ctx, "Bo Chan", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].RecordID != "b" {
		t.Fatalf("after reopening an unclean index: hits %+v, want record b", hits)
	}
}
