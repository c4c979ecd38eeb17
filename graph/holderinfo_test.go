package graph

import (
	"context"
	"slices"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// Four records around one payout account: two share a name, three countries are claimed
// (nationality counts), two sources; d is observed first, c last.
const (
	hA  = `{"record_id":"a","source":"greenhouse","observed_at":"2026-03-01T00:00:00Z","name":"Ann Lee","nationality":"GB","payments":[{"kind":"iban","value":"GB33BUKB20201555555555"}]}`
	hB  = `{"record_id":"b","source":"greenhouse","observed_at":"2026-03-02T00:00:00Z","name":"Bo Chan","addresses":[{"text":"1 Main St, Springfield","country":"US"}],"payments":[{"kind":"iban","value":"GB33BUKB20201555555555"}]}`
	hC  = `{"record_id":"c","source":"lever","observed_at":"2026-03-05T00:00:00Z","name":"ann lee","addresses":[{"text":"Damrak 1, Amsterdam","country":"Netherlands"}],"payments":[{"kind":"iban","value":"GB33BUKB20201555555555"}]}`
	hD  = `{"record_id":"d","source":"lever","observed_at":"2026-02-20T00:00:00Z","name":"Dee Park","payments":[{"kind":"iban","value":"GB33BUKB20201555555555"}]}`
	hA2 = `{"record_id":"a","source":"greenhouse","observed_at":"2026-04-01T00:00:00Z","name":"Ann Lee","nationality":"GB","emails":["ann@example.com"],"payments":[{"kind":"iban","value":"GB33BUKB20201555555555"}]}`
	hB2 = `{"record_id":"b","source":"greenhouse","observed_at":"2026-04-02T00:00:00Z","name":"Bo Chan"}`
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func payoutStats(t *testing.T, s *Store) IdentifierStats {
	t.Helper()
	p := mustParse(t, hA)
	var v string
	for _, id := range p.Identifiers {
		if id.Kind == ingest.KindPayment {
			v = id.Value
		}
	}
	if v == "" {
		t.Fatal("record has no payment identifier")
	}
	st, ids, err := s.IdentifierStats(context.Background(), ingest.KindPayment, v, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The holders listed are the first ones, at most the limit, from the same scan.
	all, err := s.Holders(context.Background(), ingest.KindPayment, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != st.Holders || !slices.Equal(ids, all[:min(2, len(all))]) {
		t.Fatalf("holders %v of %d counted; listed %v", all, st.Holders, ids)
	}
	return st
}

func checkStats(t *testing.T, what string, got IdentifierStats, holders, names, countries, sources int, first, last string) {
	t.Helper()
	if got.Holders != holders || got.Described != holders || got.Names != names || got.Countries != countries ||
		got.Sources != sources || !got.FirstSeen.Equal(day(first)) || !got.LastSeen.Equal(day(last)) {
		t.Errorf("%s: got holders %d described %d names %d countries %d sources %d first %s last %s; want %d %d %d %d %d %s %s",
			what, got.Holders, got.Described, got.Names, got.Countries, got.Sources, got.FirstSeen.Format(time.DateOnly), got.LastSeen.Format(time.DateOnly),
			holders, holders, names, countries, sources, first, last)
	}
}

func TestIdentifierStatsFollowVersionsAndForget(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, hA), mustParse(t, hB), mustParse(t, hC), mustParse(t, hD)}); err != nil {
		t.Fatal(err)
	}
	checkStats(t, "four holders", payoutStats(t, s), 4, 3, 3, 2, "2026-02-20", "2026-03-05")

	// A new version that keeps the value keeps its first sighting and moves its last; one
	// that drops it leaves the holders.
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, hA2), mustParse(t, hB2)}); err != nil {
		t.Fatal(err)
	}
	checkStats(t, "after new versions", payoutStats(t, s), 3, 2, 2, 2, "2026-02-20", "2026-04-01")

	if _, err := s.Forget(ctx, []string{"d"}, "test"); err != nil {
		t.Fatal(err)
	}
	checkStats(t, "after forget", payoutStats(t, s), 2, 1, 2, 2, "2026-03-01", "2026-04-01")

	// The first sighting of a kept value is that of the version that first held it.
	s2 := openTemp(t, t.TempDir())
	defer s2.Close()
	for _, line := range []string{hA, hA2} {
		if _, err := s2.PutBatch(ctx, []Put{mustParse(t, line)}); err != nil {
			t.Fatal(err)
		}
	}
	checkStats(t, "one record, two versions", payoutStats(t, s2), 1, 1, 1, 1, "2026-03-01", "2026-04-01")
}

func TestIdentifierStatsBulkEqualsPutBatch(t *testing.T) {
	ctx := context.Background()
	lines := []string{hA, hB, hC, hD}
	puts := make([]Put, len(lines))
	for i, l := range lines {
		puts[i] = mustParse(t, l)
	}
	bulk := openTemp(t, t.TempDir())
	defer bulk.Close()
	bulkAll(t, bulk, puts, nil)
	checkStats(t, "bulk load", payoutStats(t, bulk), 4, 3, 3, 2, "2026-02-20", "2026-03-05")
	if _, err := bulk.PutBatch(ctx, []Put{mustParse(t, hA2)}); err != nil {
		t.Fatal(err)
	}
	checkStats(t, "bulk load, then a new version", payoutStats(t, bulk), 4, 3, 3, 2, "2026-02-20", "2026-04-01")
}

// A posting written before holder facts existed (an empty value) counts as a holder but
// not as described.
func TestIdentifierStatsUndescribedPostings(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	p := mustParse(t, hA)
	if _, err := s.PutBatch(ctx, []Put{p}); err != nil {
		t.Fatal(err)
	}
	var key []byte
	for _, id := range p.Identifiers {
		if id.Kind == ingest.KindPayment {
			key = postingKey(id.Kind, id.Value, "a")
		}
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(key, nil) }); err != nil {
		t.Fatal(err)
	}
	st := payoutStats(t, s)
	if st.Holders != 1 || st.Described != 0 || st.Names != 0 || !st.FirstSeen.IsZero() {
		t.Fatalf("undescribed posting: %+v", st)
	}
	// A new version gives the value the replaced version's time as its first sighting.
	if _, err := s.PutBatch(ctx, []Put{mustParse(t, hA2)}); err != nil {
		t.Fatal(err)
	}
	checkStats(t, "new version over an undescribed posting", payoutStats(t, s), 1, 1, 1, 1, "2026-03-01", "2026-04-01")
}

func TestHolderInfoRoundTrip(t *testing.T) {
	for _, h := range []holderInfo{
		{},
		{first: -5, last: 1 << 40, name: 42, countries: []string{"GB", "NL"}, source: "lever"},
		{first: 1, last: 2, countries: []string{"A", "B", "C", "D"}},
	} {
		got, ok, err := decodeHolderInfo(h.appendTo(nil))
		if err != nil || !ok || got.first != h.first || got.last != h.last || got.name != h.name ||
			len(got.countries) != len(h.countries) || got.source != h.source {
			t.Errorf("round trip of %+v: %+v ok=%v err=%v", h, got, ok, err)
		}
		for i := range h.countries {
			if got.countries[i] != h.countries[i] {
				t.Errorf("round trip of %+v: countries %v", h, got.countries)
			}
		}
	}
}

// FuzzDecodeHolderInfo: any bytes decode or fail cleanly, and what decodes encodes back
// to the same bytes.
func FuzzDecodeHolderInfo(f *testing.F) {
	f.Add([]byte{})
	h := holderInfo{first: 1700000000, last: 1700000500, name: 7, countries: []string{"GB"}, source: "s"}
	f.Add(h.appendTo(nil))
	f.Add([]byte{holderInfoVersion, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, ok, err := decodeHolderInfo(b)
		if err != nil || !ok {
			return
		}
		if again := h.appendTo(nil); string(again) != string(b) {
			// Varints have one canonical form as written; a non-canonical input may
			// decode, but then must decode to the same facts again.
			h2, ok2, err2 := decodeHolderInfo(again)
			if err2 != nil || !ok2 || h2.first != h.first || h2.last != h.last || h2.name != h.name || h2.source != h.source {
				t.Fatalf("re-encoding %x gave %x, which decodes to %+v", b, again, h2)
			}
		}
	})
}
