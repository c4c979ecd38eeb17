package ingest

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// cvFound is one contact a test expects: its kind and the raw text the normaliser is
// given. The expected value is the normaliser's own output, so these tests check
// extraction, not the e-mail, phone and profile rules, which have their own tests.
type cvFound struct {
	kind Kind
	raw  string
}

func (c cvFound) want(region string) string {
	var id Identifier
	switch c.kind {
	case KindEmail:
		id, _ = Email(c.raw)
	case KindPhone:
		id, _ = Phone(c.raw, region)
	case KindProfile:
		id, _ = Profile(c.raw)
	}
	return string(c.kind) + " " + id.Value
}

func TestCVIdentifiers(t *testing.T) {
	filler := strings.Repeat("lorem ipsum ", cvMaxBytes/12+1)
	tests := []struct {
		name, text, region string
		want               []cvFound
	}{
		{"email in a sentence", "Write to jon@example.org.", "", []cvFound{{KindEmail, "jon@example.org"}}},
		{"provider rules applied", "Mail: Jon.Smyth+cv@GoogleMail.com", "", []cvFound{{KindEmail, "Jon.Smyth+cv@GoogleMail.com"}}},
		{"obfuscated email", "jon [at] example [dot] org or ann(at)example(dot)org", "",
			[]cvFound{{KindEmail, "jon@example.org"}, {KindEmail, "ann@example.org"}}},
		{"full-width email", "ｊｏｎ＠ｅｘａｍｐｌｅ．ｏｒｇ", "", []cvFound{{KindEmail, "jon@example.org"}}},
		{"zero-width inside email", "jo\u200bn@exa\u200dmple.org", "", []cvFound{{KindEmail, "jon@example.org"}}},
		{"national phone read in region", "Call 07911 123456 today", "GB", []cvFound{{KindPhone, "07911 123456"}}},
		{"national phone without region is not kept", "Call 07911 123456 today", "", nil},
		{"international phone", "Phone: +1 (415) 555-2671.", "GB", []cvFound{{KindPhone, "+1 (415) 555-2671"}}},
		{"full-width phone", "＋４４ ７９１１ １２３４５６", "", []cvFound{{KindPhone, "+44 7911 123456"}}},
		{"years, dates and amounts are not phones", "2015-2019, 01.02.2020, 3,000,000 users, 1999 - 2004", "GB", nil},
		{"digits of an email are not a phone", "07911123456@example.org", "GB", []cvFound{{KindEmail, "07911123456@example.org"}}},
		{"github url with trailing dot", "See https://github.com/jsmyth-dev.", "", []cvFound{{KindProfile, "https://github.com/jsmyth-dev"}}},
		{"linkedin country subdomain", "(uk.linkedin.com/in/jon-smyth/)", "", []cvFound{{KindProfile, "uk.linkedin.com/in/jon-smyth/"}}},
		{"telegram handle", "Telegram: @jsmyth_dev", "", []cvFound{{KindProfile, "telegram:@jsmyth_dev"}}},
		{"other sites are not profiles", "docs at https://golang.org/doc and https://dropbox.com/s/abc", "", nil},
		{"duplicates once", "a@example.com, A@EXAMPLE.COM; a@example.com", "", []cvFound{{KindEmail, "a@example.com"}}},
		{"homoglyph domain kept apart", "jon@exаmple.org", "", []cvFound{{KindEmail, "jon@exаmple.org"}}},
		{"text past the cap is not read", filler + " late@example.org", "", nil},
		{"text before the cap is read", "early@example.org " + filler, "", []cvFound{{KindEmail, "early@example.org"}}},
		{"empty", "", "GB", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, id := range CVIdentifiers(tt.text, tt.region) {
				if id.Kind == KindCVSketch {
					continue
				}
				if !id.HasFlag(FlagFromCV) {
					t.Errorf("%s %q lacks the %s flag", id.Kind, id.Value, FlagFromCV)
				}
				got = append(got, string(id.Kind)+" "+id.Value)
			}
			var want []string
			for _, f := range tt.want {
				want = append(want, f.want(tt.region))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("CVIdentifiers(%.60q) =\n %q\nwant\n %q", tt.text, got, want)
			}
		})
	}
}

const cvSample = "Senior Go engineer with eight years of experience building distributed payment systems, " +
	"event sourcing pipelines and Kubernetes operators for fintech companies in London and Berlin."

// A long enough CV gives one sketch and no band identifiers; its bands, derived from the
// sketch, are those of its full signature cut to 16 bits a minimum.
func TestCVSketchAndBands(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		sketches int
	}{
		{"long text", cvSample, 1},
		{"short text", "Senior Go engineer, five years of Kubernetes", 0},
		{"no words", "!!! ??? ...", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sketches []string
			for _, id := range CVIdentifiers(tt.text, "") {
				switch id.Kind {
				case KindCVShingleBand:
					t.Errorf("band identifier %q: bands are derived, not returned", id.Value)
				case KindCVSketch:
					if !id.Valid || id.Raw != "" {
						t.Errorf("sketch %+v: want valid, no raw text", id)
					}
					sketches = append(sketches, id.Value)
				}
			}
			if len(sketches) != tt.sketches || tt.sketches == 1 && CVSketchSimilarity(sketches[0], sketches[0]) != 1 {
				t.Fatalf("sketches %q, want %d that matches itself", sketches, tt.sketches)
			}
			if tt.sketches == 0 {
				return
			}
			bands := CVBandValues(sketches[0])
			if len(bands) != LSHBands || !slices.Equal(bands, sigBands(MinHash(tt.text))) {
				t.Errorf("bands %q are not those of MinHash(text)", bands)
			}
		})
	}
}

func TestIdentifiersCV(t *testing.T) {
	rec := &Record{
		RecordID:    "r1",
		Nationality: "GB",
		Emails:      []string{"jon@example.org"},
		CVText:      cvSample + " Contact jon@example.org or other@example.org, 07911 123456.",
	}
	ids := Identifiers(rec)
	count := map[Kind]int{}
	for _, id := range ids {
		count[id.Kind]++
		switch {
		case id.Kind == KindEmail && id.Value == "jon@example.org":
			if id.HasFlag(FlagFromCV) {
				t.Errorf("%q is in a structured field: want no %s flag", id.Value, FlagFromCV)
			}
		case id.Kind == KindEmail, id.Kind == KindPhone:
			if !id.HasFlag(FlagFromCV) {
				t.Errorf("%s %q comes from the CV: want the %s flag", id.Kind, id.Value, FlagFromCV)
			}
		}
	}
	if count[KindEmail] != 2 || count[KindPhone] != 1 || count[KindCVSketch] != 1 || count[KindCVShingleBand] != 0 {
		t.Errorf("identifier counts %v: want 2 emails, 1 phone (read in GB), 1 sketch, no bands", count)
	}
}

func FuzzCVIdentifiers(f *testing.F) {
	for _, s := range []string{cvSample, "jon [at] example [dot] org +44 7911 123456", "https://github.com/x.",
		"Telegram: @abcd", "ｊｏｎ＠ｅｘａｍｐｌｅ．ｏｒｇ", "@@@...[at][dot]", "+((((((((((1", "t.me/" + strings.Repeat("a", 100)} {
		f.Add(s, "GB")
	}
	f.Fuzz(func(t *testing.T, text, region string) {
		if len(text) > 1<<14 || len(region) > 8 {
			return
		}
		for _, id := range CVIdentifiers(text, region) {
			switch id.Kind {
			case KindCVSketch:
				if CVSketchSimilarity(id.Value, id.Value) != 1 {
					t.Fatalf("sketch %q does not match itself", id.Value)
				}
				if n := len(CVBandValues(id.Value)); n != LSHBands {
					t.Fatalf("sketch %q gives %d bands", id.Value, n)
				}
			case KindEmail, KindPhone, KindProfile:
				if !id.HasFlag(FlagFromCV) || id.Value == "" {
					t.Fatalf("contact %+v: want a value and the %s flag", id, FlagFromCV)
				}
			default:
				t.Fatalf("unexpected kind %q", id.Kind)
			}
		}
		// Idempotence: a contact's canonical e-mail or phone, as CV text, is found again
		// unchanged. (A profile's canonical form, "github:dev", is not a URL, so it is
		// not looked for in free text.)
		for _, id := range CVIdentifiers(text, region) {
			if id.Kind != KindEmail && id.Kind != KindPhone {
				continue
			}
			again := CVIdentifiers(id.Value, region)
			if !slices.ContainsFunc(again, func(o Identifier) bool { return o.Kind == id.Kind && o.Value == id.Value }) {
				t.Fatalf("%s %q found in %q, but not in its own canonical text: %+v", id.Kind, id.Value, text, again)
			}
		}
		// cvClean skips its rune-by-rune pass when nothing would change: it must still
		// give what the unconditional pass gave.
		if got, want := cvClean(text), cvCleanReference(text); got != want {
			t.Fatalf("cvClean(%q) = %q, reference %q", text, got, want)
		}
		if got, want := cvPhoneSpans(text), cvPhoneSpansReference(text); !slices.Equal(got, want) {
			t.Fatalf("phone spans %v, reference %v", got, want)
		}
		// Profile URLs are found case-blind on the text as written, exactly where they
		// were found on a lower-cased copy.
		if got, want := cvProfileSpans(text), cvProfileSpans(cvASCIILower(text)); !slices.Equal(got, want) {
			t.Fatalf("profile spans %v, on the lower-cased text %v", got, want)
		}
		for _, sub := range []string{"telegram", "tg", "x"} {
			if got, want := cvContainsFold(text, sub), strings.Contains(cvASCIILower(text), sub); got != want {
				t.Fatalf("cvContainsFold(%q, %q) = %v, want %v", text, sub, got, want)
			}
		}
	})
}

func TestCVYearRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"2019-2022", true},
		{"2019 - 2022", true},
		{"1998/2001", true},
		{"2019-22", false},
		{"0201-9202", false},
		{"07911 123456", false},
		{"2019-2022-2023", false},
		{"20192022", false},
	} {
		if got := cvYearRange(tc.in); got != tc.want {
			t.Errorf("cvYearRange(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	// A real number written like a year range would be lost, so the rule needs both
	// halves to be plausible years; a phone in the same text still comes out.
	ids := CVIdentifiers("Acme, 2019-2022. Call +44 7911 123456.", "GB")
	found := false
	for _, id := range ids {
		if id.Kind == KindPhone {
			found = id.Value == "+447911123456"
		}
	}
	if !found {
		t.Fatalf("phone not extracted: %+v", ids)
	}
}

// cvCleanReference is cvClean as first written, mapping every non-ASCII text rune by rune.
func cvCleanReference(text string) string {
	if strings.IndexFunc(text, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
		text = norm.NFKC.String(text)
		text = strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Cf, r) {
				return -1
			}
			return r
		}, text)
	}
	if strings.ContainsAny(text, "[({") {
		text = cvObfuscated.Replace(text)
	}
	return text
}

func TestCVCleanMatchesReference(t *testing.T) {
	for _, text := range []string{"plain", "café – naïve", "jo\u200bn@example.com", "bad \xff utf8", "\xe2\x80", "ｊｏｎ＠ｅｘａｍｐｌｅ．ｏｒｇ [at]"} {
		if got, want := cvClean(text), cvCleanReference(text); got != want {
			t.Errorf("cvClean(%q) = %q, reference %q", text, got, want)
		}
	}
}

// Sketches of near-duplicate CVs agree on about their Jaccard share of minima; unrelated
// ones on almost none.
func TestCVSketchSimilarity(t *testing.T) {
	base := "Senior Go developer with ten years of distributed systems experience building payment platforms, " +
		"Kubernetes operators and high throughput APIs for fintech clients across Europe and Asia, " +
		"fluent in Rust and TypeScript, open source contributor, remote work since twenty fifteen"
	sibling := strings.Replace(base, "payment platforms", "trading engines", 1)
	other := "Registered nurse with community care experience in paediatric wards, night shifts and " +
		"patient education programmes across three hospital trusts in the north of England, team lead"
	sketch := func(text string) string {
		for _, id := range CVIdentifiers(text, "") {
			if id.Kind == KindCVSketch {
				return id.Value
			}
		}
		t.Fatalf("no sketch for %.30q", text)
		return ""
	}
	if got := CVSketchSimilarity(sketch(base), sketch(sibling)); got < 0.5 {
		t.Errorf("sibling CVs: similarity %.2f, want at least 0.5", got)
	}
	if got := CVSketchSimilarity(sketch(base), sketch(other)); got > 0.1 {
		t.Errorf("unrelated CVs: similarity %.2f, want at most 0.1", got)
	}
	if got := CVSketchSimilarity("short", sketch(base)); got != 0 {
		t.Errorf("malformed sketch: %v", got)
	}
}

// cvPhoneSpansReference is cvPhoneSpans before it skipped non-number bytes in a tight
// loop (and with [][]int spans).
func cvPhoneSpansReference(s string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(s); {
		c := s[i]
		startsNumber := c >= '0' && c <= '9' ||
			(c == '+' || c == '(') && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '(')
		if !startsNumber || i > 0 && (cvAlnum(s[i-1]) || s[i-1] >= 'A' && s[i-1] <= 'Z') {
			i++
			continue
		}
		end, lastDigit, digits := i+1, -1, 0
		if c >= '0' && c <= '9' {
			lastDigit, digits = i, 1
		}
		for end < len(s) && end-i < 30 && cvPhoneByte(s[end]) {
			if s[end] >= '0' && s[end] <= '9' {
				lastDigit = end
				digits++
			}
			end++
		}
		if lastDigit >= 0 && digits >= 7 && digits <= 15 {
			spans = append(spans, [2]int{i, lastDigit + 1})
		}
		i = end
	}
	return spans
}
