package benchmarks

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
)

// TestRunStoreSmall runs the store suite on a small population: every mode stores every
// record, the raw rows write the bulk-loaded store's keys, and the table says so.
func TestRunStoreSmall(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	input := filepath.Join(dir, "records.ndjson")
	f, err := os.Create(input)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	st, err := fixtures.Generate(ctx, fixtures.Config{People: 300, Tier: fixtures.T1, Seed: 3, TempDir: dir}, w, io.Discard, io.Discard)
	if err = errors.Join(err, w.Flush(), f.Close()); err != nil {
		t.Fatal(err)
	}
	rs, err := RunStore(ctx, dir, input, nil, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]StoreResult{}
	for _, r := range rs {
		modes[r.Mode] = r
		if int64(r.Records) != st.Records || r.Took <= 0 {
			t.Errorf("%s: %d records in %v, want %d", r.Mode, r.Records, r.Took, st.Records)
		}
	}
	for _, m := range []string{ModeBulk, ModeStream, ModeRawBatch, ModeRawStream, ModeRawReadOnly} {
		if _, ok := modes[m]; !ok {
			t.Fatalf("no %q row in %+v", m, rs)
		}
	}
	if p := modes[ModeRawBatch].Pairs; int64(p) < 10*st.Records || p != modes[ModeRawStream].Pairs {
		t.Errorf("raw rows wrote %d and %d keys for %d records", p, modes[ModeRawStream].Pairs, st.Records)
	}
	if b := modes[ModeBulk]; runtime.GOOS == "linux" && (b.PeakRSS < b.PeakAnonRSS || b.PeakAnonRSS == 0) {
		t.Errorf("bulk row: peak RSS %d, anon %d", b.PeakRSS, b.PeakAnonRSS)
	}
	if modes[ModeBulk].StoreBytes <= 0 || modes[ModeStream].BytesPerRecord <= 0 {
		t.Errorf("store sizes: %+v", rs)
	}
	var b strings.Builder
	if err := WriteStoreResults(&b, Env{Command: "test"}, "small", rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Overhead: the bulk load takes") || strings.Count(b.String(), "\n| ") != len(rs)+1 {
		t.Errorf("table:\n%s", b.String())
	}
}
