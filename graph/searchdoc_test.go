package graph

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/nyaruka/phonenumbers"

	"github.com/personagraph/personagraph/ingest"
)

// analysedField is what a document holds for one field name once analysed: the sum of
// its values' lengths and the merged term counts, as zap combines them.
type analysedField struct {
	length int
	freqs  map[string]int
}

func analysedFields(doc *document.Document) map[string]analysedField {
	out := map[string]analysedField{}
	for _, f := range doc.Fields {
		f.Analyze()
		a := out[f.Name()]
		if a.freqs == nil {
			a.freqs = map[string]int{}
		}
		a.length += f.AnalyzedLength()
		for term, tf := range f.AnalyzedTokenFrequencies() {
			a.freqs[term] += tf.Frequency()
			if string(tf.Term) != term {
				panic(fmt.Sprintf("term %q under key %q", tf.Term, term))
			}
		}
		out[f.Name()] = a
		if f.Options() != index.IndexField { // no store, term vectors or doc values
			panic(fmt.Sprintf("field %s options %v", f.Name(), f.Options()))
		}
	}
	return out
}

// docEdgeCases are records whose text exercises the analyzers' corners: invalid UTF-8
// and U+FFFD (Bleve's tokenizers stop there), a final Greek sigma, a letter whose lower
// case is wider, stop words only, no letters at all, repeated tokens, odd postcodes.
var docEdgeCases = []string{
	`{"record_id":"e1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"ΟΔΥΣΣΕΑΣ Παπαδόπουλος","cv_text":"ΟΔΥΣΣΕΑΣ ȺȾ Straße İstanbul the and of THE Go Go go GO"}`,
	`{"record_id":"e2","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ann Lee","cv_text":"123 456 --- !!!"}`,
	`{"record_id":"e3","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ann \ufffd Lee","cv_text":"before \ufffd after","addresses":[{"kind":"home","text":"1 A St \ufffd Leeds LS1-4AB","country":"GB"}]}`,
	`{"record_id":"e4","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Lee Lee Lee","emails":["A@B.example"," a@b.example "],"phones":["+390612345678","+7 912 345-67-89","+1 615 627 4501","+44 20 7946 0018","020 7946 0018","12","+5491123456789","+800 1234 5678"]}`,
	`{"record_id":"e5","source":"s","observed_at":"2026-01-01T00:00:00Z","cv_text":"only words here, Kubernetes kubernetes KUBERNETES"}`,
	`{"record_id":"e6","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Zoë Ñúñez-García","addresses":[{"kind":"home","line1":"Calle Mayor 1","city":"Madrid","postcode":"28013","country":"ES"},{"kind":"home","line1":"10 High St","city":"Leeds","postcode":"ls1 4ab","country":"GB"}]}`,
}

func docTestPuts(t *testing.T, people int) []Put {
	puts := genPuts(t, people)
	for _, l := range append(slices.Clone(searchFixture), docEdgeCases...) {
		puts = append(puts, mustParse(t, l))
	}
	return puts
}

// TestDocPathsAgree builds every record's document both ways, through the mapping
// (searchDoc, as before searchdoc.go) and prebuilt, and wants the same fields with the
// same lengths and term counts: then the index holds the same postings, norms and
// frequencies, and every query scores alike.
func TestDocPathsAgree(t *testing.T) {
	puts := docTestPuts(t, 400)
	for _, enc := range []bool{false, true} {
		t.Run(encName(enc), func(t *testing.T) {
			var hasher *tokenHasher
			if enc {
				hasher = newTokenHasher(testKey(5))
			}
			n, _, err := openNameIndex("", hasher)
			if err != nil {
				t.Fatal(err)
			}
			defer n.close()
			m := indexMapping(enc)
			db := n.newDocBuilder(n.session())
			for _, p := range puts {
				id := p.Record.RecordID
				old := oldBuildDoc(p.Record, p.Identifiers)
				got := db.build(p.Record, p.Identifiers)
				if old.empty() != (got == nil) {
					t.Fatalf("%s: empty %v, prebuilt %v", id, old.empty(), got)
				}
				if got == nil {
					continue
				}
				var v any = old
				if enc {
					v = n.oldHashDoc(old)
				}
				want := document.NewDocument(id)
				if err := m.MapDocument(want, v); err != nil {
					t.Fatal(err)
				}
				wf, gf := analysedFields(want), analysedFields(got)
				if !maps.EqualFunc(wf, gf, func(a, b analysedField) bool {
					return a.length == b.length && maps.Equal(a.freqs, b.freqs)
				}) {
					t.Fatalf("%s: fields differ\nmapping:  %v\nprebuilt: %v", id, wf, gf)
				}
			}
		})
	}
}

// TestSearchPathsAgree indexes the same records through the mapping path and through
// indexRecords and wants every field query of a set of searches (names with typos and
// in other scripts, phones in several formats, e-mails, postcodes, addresses, CV words)
// to find the same records with the same scores.
func TestSearchPathsAgree(t *testing.T) {
	puts := docTestPuts(t, 300)
	queries := searchQueries(puts)
	for _, enc := range []bool{false, true} {
		t.Run(encName(enc), func(t *testing.T) {
			var hasher *tokenHasher
			if enc {
				hasher = newTokenHasher(testKey(6))
			}
			oldIdx, _, err := openNameIndex("", hasher)
			if err != nil {
				t.Fatal(err)
			}
			defer oldIdx.close()
			newIdx, _, err := openNameIndex("", hasher)
			if err != nil {
				t.Fatal(err)
			}
			defer newIdx.close()
			for lo := 0; lo < len(puts); lo += 200 {
				batch := puts[lo:min(lo+200, len(puts))]
				if err := oldIdx.oldIndexRecords(batch); err != nil {
					t.Fatal(err)
				}
				if err := newIdx.indexRecords(batch); err != nil {
					t.Fatal(err)
				}
			}
			compareSearches(t, queries, oldIdx, newIdx)
		})
	}
}

// compareSearches runs every field query of every query on both indexes and wants the
// same hits, scored alike; it also wants most queries to find something, so that the
// comparison is not vacuous.
func compareSearches(t *testing.T, queries []string, want, got *nameIndex) {
	t.Helper()
	found := 0
	for _, q := range queries {
		fqs := want.queries(q)
		for i, fq := range fqs {
			wr, err := want.search(context.Background(), bleve.NewSearchRequestOptions(fq.q, 10, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			gr, err := got.search(context.Background(), bleve.NewSearchRequestOptions(got.queries(q)[i].q, 10, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			if len(wr.Hits) > 0 {
				found++
			}
			if wr.Total != gr.Total || len(wr.Hits) != len(gr.Hits) {
				t.Fatalf("%q on %s: %d hits, want %d", q, fq.label, gr.Total, wr.Total)
			}
			// The same scores, and the same records above the lowest one: records tied at
			// the cut may differ, since ties go by the order of documents in segments.
			ws, gs := hitScores(wr), hitScores(gr)
			if !slices.EqualFunc(ws, gs, closeScores) {
				t.Fatalf("%q on %s: scores %v, want %v", q, fq.label, gs, ws)
			}
			for _, h := range wr.Hits {
				if h.Score <= ws[len(ws)-1]+1e-9 {
					continue
				}
				if !slices.ContainsFunc(gr.Hits, func(g *search.DocumentMatch) bool { return g.ID == h.ID && closeScores(g.Score, h.Score) }) {
					t.Fatalf("%q on %s: %s (score %v) not found", q, fq.label, h.ID, h.Score)
				}
			}
		}
	}
	if found < len(queries)/2 {
		t.Fatalf("only %d field queries of %d queries found anything", found, len(queries))
	}
}

func hitScores(r *bleve.SearchResult) []float64 {
	var s []float64
	for _, h := range r.Hits {
		s = append(s, h.Score)
	}
	slices.Sort(s)
	slices.Reverse(s)
	return s
}

func closeScores(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }

// searchQueries derives queries from records: their names as given, with a typo and
// transliterated, their phones as given, in E.164, national and 00 forms, their e-mails,
// postcodes, address words and CV words.
func searchQueries(puts []Put) []string {
	qs := []string{"Jonathan Smyth", "Dmitri Ivanov", "Иванов", "Dmeetree Eevanov", "payment fraud", "Zyxwv Qrstu", "NW1", "Baker Stret London"}
	for i, p := range puts {
		if i%20 != 0 && len(p.Record.RecordID) > 2 { // every 20th, and the hand-written ones
			continue
		}
		name := p.Record.Name.Display()
		if name != "" {
			qs = append(qs, name, typo(name), ingest.FoldName(name))
		}
		for _, id := range p.Identifiers {
			switch id.Kind {
			case ingest.KindPhone:
				qs = append(qs, id.Raw, id.Value, "00"+strings.TrimPrefix(id.Value, "+"))
				if num, err := phonenumbers.Parse(id.Value, ""); err == nil {
					qs = append(qs, phonenumbers.Format(num, phonenumbers.NATIONAL))
				}
			case ingest.KindEmail:
				qs = append(qs, id.Raw, strings.ToUpper(id.Value))
			case ingest.KindPostcode:
				_, pc, _ := strings.Cut(id.Value, ":")
				qs = append(qs, pc, strings.ReplaceAll(pc, " ", ""))
				if out, _, ok := strings.Cut(pc, " "); ok {
					qs = append(qs, out)
				}
			case ingest.KindAddress:
				if w := strings.Fields(id.Raw); len(w) > 2 {
					qs = append(qs, strings.Join(w[1:3], " "), typo(w[len(w)-1]))
				}
			}
		}
		if w := strings.Fields(p.Record.CVText); len(w) > 10 {
			qs = append(qs, strings.Join(w[4:7], " "), typo(w[8]))
		}
	}
	return qs
}

// typo swaps two letters in the middle of s.
func typo(s string) string {
	r := []rune(s)
	if len(r) < 5 {
		return s
	}
	i := len(r) / 2
	r[i], r[i+1] = r[i+1], r[i]
	return string(r)
}

// TestNationalDigitsMatchesLibrary wants nationalDigits to give the digits of
// phonenumbers' national format, for every example number of every region and type in
// the library's metadata and for numbers derived from them (ingest's tests hold
// ingest.ParseE164, which it uses, to phonenumbers.Parse).
func TestNationalDigitsMatchesLibrary(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.UAN, phonenumbers.PAGER, phonenumbers.SHARED_COST}
	var values []string
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
				e := phonenumbers.Format(ex, phonenumbers.E164)
				values = append(values, e, e[:len(e)-1], e+"9")
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc); ex != nil {
			values = append(values, phonenumbers.Format(ex, phonenumbers.E164))
		}
	}
	values = append(values, "+", "+0", "+1", "+12", "+999123456", "+3900612345", "+39000", "+4400207946001")
	accepted := 0
	for _, v := range values {
		want, err := phonenumbers.Parse(v, "")
		nd, ok := nationalDigits(v)
		if ok {
			accepted++
		}
		if (err == nil) != ok || (ok && nd != digitsOf(phonenumbers.Format(want, phonenumbers.NATIONAL))) {
			t.Errorf("%s: nationalDigits %q %v, Parse error %v", v, nd, ok, err)
		}
	}
	if accepted < len(values)/2 {
		t.Fatalf("nationalDigits took only %d of %d values", accepted, len(values))
	}
}

// FuzzDocPathsAgree builds a record from fuzzed name, CV, address and contact text and
// wants the prebuilt document to equal the mapping path's, in both kinds of store.
func FuzzDocPathsAgree(f *testing.F) {
	f.Add("Jonathan Smythe", "Senior Go engineer; the ΟΔΥΣΣΕΑΣ ȺȾ", "Flat 2, 10 High St, Leeds LS1 4AB", "Jon@Example.com", "+44 20 7946 0018")
	f.Add("Ann \ufffd Lee", "bad \xff utf8 \ufffd", "1 A St", "a@b", "020 7946 0018")
	f.Add("", "", "", "", "")
	f.Add("", "0", "", "", "A") // an encrypted store's CV of no words came after an empty field
	builders := map[bool]*docBuilder{}
	indexes := map[bool]*nameIndex{}
	for _, enc := range []bool{false, true} {
		var hasher *tokenHasher
		if enc {
			hasher = newTokenHasher(testKey(4))
		}
		n, _, err := openNameIndex("", hasher)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { n.close() })
		indexes[enc], builders[enc] = n, n.newDocBuilder(n.session())
	}
	f.Fuzz(func(t *testing.T, name, cv, address, email, phone string) {
		if len(name)+len(cv)+len(address)+len(email)+len(phone) > 4096 {
			return
		}
		rec := &ingest.Record{RecordID: "f", Name: ingest.Name{Full: name}, CVText: cv,
			Emails: []string{email}, Phones: []string{phone},
			Addresses: []ingest.Address{{Kind: "home", Text: address, Country: "GB"}}}
		ids := ingest.Identifiers(rec)
		for enc, n := range indexes {
			old := oldBuildDoc(rec, ids)
			got := builders[enc].build(rec, ids)
			if old.empty() != (got == nil) {
				t.Fatalf("empty %v, prebuilt %v", old.empty(), got)
			}
			if got == nil {
				continue
			}
			var v any = old
			if enc {
				v = n.oldHashDoc(old)
			}
			want := document.NewDocument("f")
			if err := indexMapping(enc).MapDocument(want, v); err != nil {
				t.Fatal(err)
			}
			wf, gf := analysedFields(want), analysedFields(got)
			if !maps.EqualFunc(wf, gf, func(a, b analysedField) bool {
				return a.length == b.length && maps.Equal(a.freqs, b.freqs)
			}) {
				t.Fatalf("encrypted %v: fields differ\nmapping:  %v\nprebuilt: %v", enc, wf, gf)
			}
		}
	})
}

// TestHashSessionMatchesHasher wants a session's hashes, through one and appendHash,
// to be tokenHasher.hash's.
func TestHashSessionMatchesHasher(t *testing.T) {
	h := newTokenHasher(testKey(2))
	s := h.session()
	for _, tok := range []string{"", "a", "smythe", "jon.smythe@gmail.com", strings.Repeat("long", 40), "Иванов"} {
		want := h.hash(tok)
		if got := s.one(tok); got != want {
			t.Errorf("one(%q) = %s, want %s", tok, got, want)
		}
		if got := string(s.appendHash([]byte("x"), []byte(tok))); got != "x"+want {
			t.Errorf("appendHash(%q) = %s, want x%s", tok, got, want)
		}
	}
}
