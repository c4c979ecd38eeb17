package ingest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// sortIdentifiers must leave exactly the order slices.SortFunc gives, including among
// identifiers of equal kind and value (they differ in Raw here), because de-duplication
// keeps the first of them. Sizes cross the insertion-sort threshold and the 256 limit.
func TestSortIdentifiersMatchesSortFunc(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	kinds := []Kind{KindEmail, KindPhone, KindNameKey, KindCVShingleBand, KindAddress}
	for _, n := range []int{0, 1, 2, 5, 12, 13, 30, 64, 200, 256, 257, 400} {
		for round := range 20 {
			ids := make([]Identifier, n)
			for i := range ids {
				ids[i] = Identifier{
					Kind:  kinds[rng.IntN(len(kinds))],
					Value: strconv.Itoa(rng.IntN(1 + n/3)), // many duplicates
					Raw:   strconv.Itoa(i),
				}
			}
			if round%4 == 0 {
				slices.SortFunc(ids, compareIdentifiers) // already sorted input
			}
			want := slices.Clone(ids)
			slices.SortFunc(want, compareIdentifiers)
			sortIdentifiers(ids)
			if !slices.EqualFunc(ids, want, func(a, b Identifier) bool { return a.Kind == b.Kind && a.Value == b.Value && a.Raw == b.Raw }) {
				t.Fatalf("n=%d round %d: sortIdentifiers order differs from slices.SortFunc", n, round)
			}
		}
	}
}

// A hostile record's long values reach the store bounded, flagged invalid, and still
// meet their equals: the same long e-mail in two records gives one value, a different
// one (same start, other end) another.
func TestIdentifiersBoundLongValues(t *testing.T) {
	long := strings.Repeat("é", 40_000) // two bytes each: a cut may fall inside a rune
	rec := &Record{
		Emails:      []string{long + "x@example.com", long + "y@example.com"},
		Devices:     []Device{{Fingerprint: strings.Repeat("ab", 50_000)}},
		IPs:         []IP{{IP: long}},
		Profiles:    []string{"https://github.com/" + strings.Repeat("a", 100_000)},
		Documents:   []Document{{Kind: "passport", Number: strings.Repeat("A1", 50_000), Country: "GB"}},
		PhotoHash:   strings.Repeat("f", 100_000),
		DateOfBirth: long,
	}
	emails := map[string]bool{}
	for _, id := range Identifiers(rec) {
		if len(id.Value) > MaxIdentifierValueBytes {
			t.Errorf("%s value of %d bytes", id.Kind, len(id.Value))
		}
		if !utf8.ValidString(id.Value) {
			t.Errorf("%s value %q is not valid UTF-8", id.Kind, id.Value)
		}
		if strings.Contains(id.Value, "~") && (id.Valid || !id.HasFlag(FlagInvalid)) {
			t.Errorf("bounded %s value %.40q is not flagged invalid: %v", id.Kind, id.Value, id.Flags)
		}
		if id.Kind == KindEmail {
			emails[id.Value] = true
		}
	}
	if len(emails) != 2 {
		t.Errorf("two different long e-mails gave %d values", len(emails))
	}
	again := Identifiers(&Record{Emails: []string{long + "x@example.com"}})
	if len(again) != 1 || !emails[again[0].Value] {
		t.Errorf("the same long e-mail in another record gives %+v", again)
	}
	// Values within the bound are untouched.
	short := Identifier{Kind: KindEmail, Value: "jon@example.com", Valid: true}
	if b := boundIdentifier(short); b.Value != short.Value || !b.Valid || b.Flags != nil {
		t.Errorf("boundIdentifier changed a short value: %+v", b)
	}
}
