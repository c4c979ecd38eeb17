package graph

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/personagraph/personagraph/ingest"
)

// searchFixture: s1 is the record most queries look for; s2 has a Cyrillic name; s3 and
// s4 are distractors (s4's name is one edit from s1's given name).
var searchFixture = []string{
	`{"record_id":"s1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Jonathan Smythe","emails":["Jon.Smythe+jobs@gmail.com"],"phones":["+44 20 7946 0018"],"addresses":[{"kind":"home","text":"Flat 2, 10 High St, Leeds LS1 4AB","country":"GB"}],"cv_text":"Senior Go engineer building distributed payment systems with Kubernetes."}`,
	`{"record_id":"s2","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Дмитрий Иванов","phones":["+7 912 345-67-89"],"cv_text":"Frontend developer: React and TypeScript."}`,
	`{"record_id":"s3","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Maria Garcia","emails":["maria.garcia@example.org"],"addresses":[{"kind":"home","text":"22 Baker Street, London NW1 6XE","country":"GB"}],"cv_text":"Data scientist: machine learning pipelines and payment fraud models."}`,
	`{"record_id":"s4","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Jonathon Smith","emails":["jsmith@example.com"]}`,
}

func searchStore(t *testing.T, dir string, key []byte) *Store {
	t.Helper()
	s, err := Open(dir, &Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	var puts []Put
	for _, l := range searchFixture {
		puts = append(puts, mustParse(t, l))
	}
	if _, err := s.PutBatch(context.Background(), puts); err != nil {
		t.Fatal(err)
	}
	return s
}

type searchCase struct {
	name, query, want, field string
}

// checkSearch runs each case and wants its record first, matched on its field; a case
// with want "" wants no hit at all.
func checkSearch(t *testing.T, s *Store, cases []searchCase) {
	t.Helper()
	for _, c := range cases {
		hits, err := s.Search(context.Background(), c.query, 5)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.want == "" {
			if len(hits) != 0 {
				t.Errorf("%s: %q found %+v, want nothing", c.name, c.query, hits)
			}
			continue
		}
		if len(hits) == 0 || hits[0].RecordID != c.want || !slices.Contains(hits[0].Matched, c.field) || !(hits[0].Score > 0) {
			t.Errorf("%s: %q found %+v, want %s first, matched on %s", c.name, c.query, hits, c.want, c.field)
		}
	}
}

func TestSearchFields(t *testing.T) {
	s := searchStore(t, t.TempDir(), nil)
	defer s.Close()
	checkSearch(t, s, []searchCase{
		{"name with a typo", "Jonathan Smyth", "s1", "name"},
		{"name, other typo", "Jonathen Smythe", "s1", "name"},
		{"transliterated Cyrillic name", "Dmitri Ivanov", "s2", "name"},
		{"Cyrillic query", "Иванов", "s2", "name"},
		{"phonetic", "Dmeetree Eevanov", "s2", "phonetic"},
		{"e-mail as given", "jon.smythe+jobs@gmail.com", "s1", "email"},
		{"e-mail in another spelling", "JONSMYTHE@googlemail.com", "s1", "email"},
		{"phone, national format", "020 7946 0018", "s1", "phone"},
		{"phone, international prefix", "0044 20 7946 0018", "s1", "phone"},
		{"Russian phone, E.164 without plus", "79123456789", "s2", "phone"},
		{"postcode without the space", "ls14ab", "s1", "postcode"},
		{"outward postcode", "NW1", "s3", "postcode"},
		{"address words", "10 High Street Leeds", "s1", "address"},
		{"address with a typo", "Baker Stret London", "s3", "address"},
		{"CV phrase", "distributed payment systems", "s1", "cv"},
		{"CV phrase, inflected and misspelt", "distribute paymnt system", "s1", "cv"},
		{"nothing like it", "Zyxwv Qrstu", "", ""},
	})
	// Every query word must match within a field: "payment" alone finds both CVs,
	// "payment fraud" only s3's.
	hits, err := s.Search(context.Background(), "payment fraud", 5)
	if err != nil || len(hits) != 1 || hits[0].RecordID != "s3" || !slices.Equal(hits[0].Matched, []string{"cv"}) {
		t.Fatalf("payment fraud: %+v %v", hits, err)
	}
	// SearchNames keeps to names.
	if hits, err := s.SearchNames(context.Background(), "ls14ab", 5); err != nil || len(hits) != 0 {
		t.Fatalf("SearchNames found a postcode: %+v %v", hits, err)
	}
}

func TestSearchEncryptedExactOnlyAndNoPlaintext(t *testing.T) {
	needles := []string{"smythe", "jonsmythe@gmail.com", "ivanov", "02079460018", "kubernet", "ls14ab", "baker"}
	for _, encrypted := range []bool{false, true} {
		var key []byte
		if encrypted {
			key = testKey(9)
		}
		dir := t.TempDir()
		s := searchStore(t, dir, key)
		if encrypted {
			checkSearch(t, s, []searchCase{
				{"exact name", "Jonathan Smythe", "s1", "name"},
				{"one exact name token", "SMYTHE", "s1", "name"},
				{"Cyrillic name, transliterated", "Dmitriy Ivanov", "s2", "name"},
				{"e-mail", "JON.SMYTHE@gmail.com", "s1", "email"},
				{"phone", "020 7946 0018", "s1", "phone"},
				{"postcode", "LS1 4AB", "s1", "postcode"},
				{"address words", "high street leeds", "s1", "address"},
				{"CV words", "Kubernetes engineer", "s1", "cv"},
				{"CV word in another form", "engineers", "", ""}, // no stemming, and exact only
				// Hashes of near spellings are unrelated: no fuzzy matching.
				{"CV typo", "Kubernetis", "", ""},
				{"address typo", "Leads", "", ""},
			})
		} else {
			checkSearch(t, s, []searchCase{{"fuzzy in the plain store", "Kubernetis", "s1", "cv"}})
		}
		// The term dictionaries are the real check: Bleve keeps terms in FSTs, whose
		// bytes do not hold a term contiguously, so a byte search alone proves little.
		// The plain store is the control: each needle is one of its terms.
		if err := s.queue.wait(); err != nil {
			t.Fatal(err)
		}
		fields, err := s.index.idx.Fields()
		if err != nil {
			t.Fatal(err)
		}
		var terms []string
		for _, f := range fields {
			terms = append(terms, fieldTerms(t, s, f)...)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			held := slices.ContainsFunc(terms, func(term string) bool { return strings.Contains(term, n) })
			if held != !encrypted {
				t.Errorf("encrypted %v: term dictionaries hold %q: %v", encrypted, n, held)
			}
			if !encrypted {
				continue
			}
			// And no file of the encrypted index holds it (stored fields, doc values).
			if hits := filesContaining(t, filepath.Join(dir, "index.bleve"), n); len(hits) > 0 {
				t.Errorf("%q in the bytes of index files %v", n, hits)
			}
		}
	}
}

// TestSearchIndexOfOlderMappingIsRebuilt replaces a store's index with one of the old
// names-only mapping, as stores made before the full-text index have, and wants Open to
// rebuild it, so that the e-mail, phone and CV are found.
func TestSearchIndexOfOlderMappingIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	s := searchStore(t, dir, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "index.bleve")
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	old := bleve.NewIndexMapping()
	idx, err := bleve.New(path, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Index("s1", map[string]string{"folded": "jonathan smythe"}); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkSearch(t, s, []searchCase{
		{"e-mail after rebuild", "jon.smythe@gmail.com", "s1", "email"},
		{"CV after rebuild", "TypeScript", "s2", "cv"},
		{"name after rebuild", "Maria Garcia", "s3", "name"},
	})
}

// FuzzSearch wants no query to fail or panic, in either kind of store, and every hit to
// name a field and have a positive score.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"Jonathan Smyth", "Иванов", "jon@x.org", "+44 20 7946 0018", "LS1 4AB", "", " ", "@", "00", "a\x00b", strings.Repeat("payment ", 300)} {
		f.Add(seed)
	}
	stores := map[bool]*Store{}
	for _, enc := range []bool{false, true} {
		var key []byte
		if enc {
			key = testKey(3)
		}
		s, err := Open("", &Options{InMemory: true, EncryptionKey: key})
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { s.Close() })
		var puts []Put
		for _, l := range searchFixture {
			rec, err := ingest.Parse([]byte(l), 1)
			if err != nil {
				f.Fatal(err)
			}
			puts = append(puts, Put{Record: rec, Identifiers: ingest.Identifiers(rec)})
		}
		if _, err := s.PutBatch(context.Background(), puts); err != nil {
			f.Fatal(err)
		}
		stores[enc] = s
	}
	f.Fuzz(func(t *testing.T, q string) {
		for enc, s := range stores {
			hits, err := s.Search(context.Background(), q, 5)
			if err != nil {
				t.Fatalf("encrypted %v: search %q: %v", enc, q, err)
			}
			for _, h := range hits {
				if len(h.Matched) == 0 || !(h.Score > 0) {
					t.Fatalf("encrypted %v: search %q: hit %+v", enc, q, h)
				}
			}
		}
	})
}
