package graph

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/personagraph/personagraph/ingest"
)

const (
	recP1 = `{"record_id":"p1","source":"s","observed_at":"2026-01-01T00:00:00Z","persona_id":"per-9","name":"Cy Dee","emails":["cy@example.com"]}`
	recP2 = `{"record_id":"p2","source":"s","observed_at":"2026-01-01T00:00:00Z","persona_id":"per-9","name":"Cy Dee","phones":["+14155550100"]}`
	recP3 = `{"record_id":"p3","source":"s","observed_at":"2026-01-01T00:00:00Z","persona_id":"per-10","name":"Di Eve","references":[{"persona_id":"per-9"}]}`
)

func TestForget(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTemp(t, dir)
	defer func() { s.Close() }()
	var puts []Put
	for _, l := range []string{recA1, recB, secretRec, recP1, recP2, recP3} {
		puts = append(puts, mustParse(t, l))
	}
	if _, err := s.PutBatch(ctx, puts); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, recA2)}); err != nil {
		t.Fatal(err)
	}
	writeClusters(t, s, "a", "b", "enc-1")

	persona, err := s.RecordsOfPersona(ctx, "per-9")
	if err != nil || !slices.Equal(persona, []string{"p1", "p2"}) {
		t.Fatalf("records of persona: %v %v", persona, err)
	}

	before := time.Now().UTC()
	res, err := s.Forget(ctx, []string{"enc-1", "a", "missing", "a"}, "ticket-42")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Forgotten, []string{"a", "enc-1"}) || !slices.Equal(res.Missing, []string{"missing"}) || res.Request == "" {
		t.Fatalf("result: %+v", res)
	}
	for _, id := range []string{"a", "enc-1"} {
		if _, err := s.Record(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("record %s after forget: %v", id, err)
		}
		if _, err := s.Versions(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("versions of %s after forget: %v", id, err)
		}
	}
	for _, tc := range []struct {
		kind  ingest.Kind
		value string
		want  []string
	}{
		{ingest.KindEmail, "ann.lee@example.com", nil},
		{ingest.KindEmail, secretEmail, nil},
		{ingest.KindDevice, "d1", []string{"b"}}, // shared with b: only a's posting goes
		{ingest.KindEmail, "cy@example.com", []string{"p1"}},
	} {
		if h, err := s.Holders(ctx, tc.kind, tc.value); err != nil || !slices.Equal(h, tc.want) {
			t.Errorf("holders of %s %s: %v %v, want %v", tc.kind, tc.value, h, err, tc.want)
		}
	}
	if hits, _ := s.SearchNames(ctx, "Quoxtabel", 5); len(hits) != 0 {
		t.Fatalf("forgotten record still found by name: %v", hits)
	}
	if stale, _ := s.ClustersStale(ctx); !stale {
		t.Fatal("forget must mark clusters stale")
	}
	if r, err := s.Record(ctx, "b"); err != nil || r.Clusters[Person] != "p-1" {
		t.Fatalf("b lost its membership: %+v %v", r, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	var entries []*AuditEntry
	if err := s.ForEachAudit(ctx, func(e *AuditEntry) error { entries = append(entries, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("audit entries: %+v", entries)
	}
	e := entries[0]
	if e.Action != ActionForget || e.Reason != "ticket-42" || e.Request != res.Request || e.Time.Before(before.Add(-time.Second)) ||
		!slices.Equal(e.RecordHashes, []string{HashRecordID("a"), HashRecordID("enc-1")}) {
		t.Fatalf("audit entry: %+v", e)
	}

	// Forgetting nothing that exists writes no audit entry.
	if res, err := s.Forget(ctx, []string{"missing"}, ""); err != nil || len(res.Forgotten) != 0 {
		t.Fatalf("forget missing: %+v %v", res, err)
	}
	n := 0
	_ = s.ForEachAudit(ctx, func(*AuditEntry) error { n++; return nil })
	if n != 1 {
		t.Fatalf("%d audit entries after a forget of nothing", n)
	}

	// After a compaction the erased values are gone from Badger's and Bleve's files
	// (the plain store held them before: the control in TestEncryptionAtRest).
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if terms := fieldTerms(t, s, "folded"); slices.Contains(terms, "quoxtabel") {
		t.Fatalf("index terms after compaction: %v", terms)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, needle := range []string{secretEmail, "ann.lee@example.com"} {
		if hits := filesContaining(t, filepath.Join(dir, "badger"), needle); len(hits) > 0 {
			t.Errorf("%q still in %v after forget and compaction", needle, hits)
		}
	}
	s = openTemp(t, dir)
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Record(ctx, "p3"); err != nil || r.Version != 1 {
		t.Fatalf("untouched record after compaction: %v %v", r, err)
	}
}

// TestForgetSplitsLargeTransactions forgets more than one transaction holds: every
// record goes, and each transaction's audit entry shares the request.
func TestForgetSplitsLargeTransactions(t *testing.T) {
	ctx := context.Background()
	// Badger's transaction limit is 15% of the memtable (and must exceed its 1 MiB value
	// threshold): 8 MiB makes about 14,000 writes, and 2,000 records make 16,000.
	s, err := Open("", &Options{InMemory: true, MemTableSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := make([]string, 0, 2000)
	var puts []Put
	for i := range 2000 {
		p := mustParse(t, fmt.Sprintf(`{"record_id":"r%04d","source":"s","observed_at":"2026-01-01T00:00:00Z","emails":["e%d@x.example"],"phones":["+1415555%04d"],"devices":[{"fingerprint":"dev"}]}`, i, i, i))
		ids = append(ids, p.Record.RecordID)
		puts = append(puts, p)
	}
	for b := range slices.Chunk(puts, 200) {
		if _, err := s.PutBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Forget(ctx, ids, "bulk")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Forgotten) != len(ids) {
		t.Fatalf("forgot %d of %d", len(res.Forgotten), len(ids))
	}
	hashes := 0
	entries := 0
	if err := s.ForEachAudit(ctx, func(e *AuditEntry) error {
		entries++
		hashes += len(e.RecordHashes)
		if e.Request != res.Request {
			t.Errorf("entry of another request: %+v", e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if hashes != len(ids) || entries < 2 {
		t.Fatalf("%d entries with %d hashes, want several with %d", entries, hashes, len(ids))
	}
	n := 0
	_ = s.ForEachRecord(ctx, func(string, uint32) error { n++; return nil })
	if h, _ := s.Holders(ctx, ingest.KindDevice, "dev"); n != 0 || len(h) != 0 {
		t.Fatalf("%d records and %d device postings left", n, len(h))
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
