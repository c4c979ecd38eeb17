package ingest

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func TestAddressKey(t *testing.T) {
	tests := []struct {
		name     string
		in       Address
		key      string // "" = no identifier
		postcode string // "" = no postcode identifier
		flags    []string
	}{
		{"gb text", Address{Kind: "shipping", Text: "Flat 2, 10 High St, Leeds LS1 4AB"},
			"GB|LS1 4AB|10|2|high street", "GB:LS1 4AB", []string{"shipping"}},
		{"gb parts", Address{Kind: "Home", Line1: "10 High Street", Line2: "Flat 2", City: "Leeds", Postcode: "ls14ab", Country: "UK"},
			"GB|LS1 4AB|10|2|high street", "GB:LS1 4AB", []string{"home"}},
		{"gb one line with country name", Address{Text: "10 High Street Leeds LS1 4AB United Kingdom"},
			"GB|LS1 4AB|10||high street", "GB:LS1 4AB", nil},
		{"gb saint before a name", Address{Text: "10 St Johns Rd, London SW1A 1AA"},
			"GB|SW1A 1AA|10||johns road saint", "GB:SW1A 1AA", nil},
		{"gb apostrophe", Address{Text: "10 St. John's Road, London SW1A 1AA"},
			"GB|SW1A 1AA|10||johns road saint", "GB:SW1A 1AA", nil},
		{"gb po box", Address{Text: "PO Box 123, Leeds LS1 4AB"},
			"GB|LS1 4AB|123||pobox", "GB:LS1 4AB", []string{FlagAddressPOBox}},
		{"gb p.o. box", Address{Text: "P.O. Box 123, Leeds, LS1 4AB"},
			"GB|LS1 4AB|123||pobox", "GB:LS1 4AB", []string{FlagAddressPOBox}},
		{"gb invalid postcode kept", Address{Text: "10 High St, Leeds LS1 4CI", Country: "GB"},
			"GB|LS14CI|10||high leeds street", "GB:LS14CI", nil},
		{"de abbreviated", Address{Text: "Hauptstr. 5, 10115 Berlin", Country: "DE"},
			"DE|10115|5||haupt strasse", "DE:10115", nil},
		{"de eszett and country name", Address{Text: "Hauptstraße 5 10115 Berlin Germany"},
			"DE|10115|5||haupt strasse", "DE:10115", nil},
		{"de split compound", Address{Text: "Haupt-Strasse 5, D-10115 Berlin", Country: "Deutschland"},
			"DE|10115|5||haupt strasse", "DE:10115", nil},
		{"fr street word first", Address{Text: "12 rue de la Paix, 75002 Paris", Country: "FR"},
			"FR|75002|12||paix rue", "FR:75002", nil},
		{"fr abbreviation", Address{Text: "12 r. de la Paix 75002 Paris", Country: "fr"},
			"FR|75002|12||paix rue", "FR:75002", nil},
		{"nl inferred from postcode", Address{Text: "Damrak 1, 1012 LG Amsterdam"},
			"NL|1012 LG|1||damrak", "NL:1012 LG", nil},
		{"us state and zip+4", Address{Text: "1600 Pennsylvania Ave NW, Washington, DC 20500-0003"},
			"US|20500|1600||avenue northwest pennsylvania", "US:20500", nil},
		{"us apartment", Address{Text: "Apt 4B, 350 5th Ave, New York, NY 10118"},
			"US|10118|350|4b|5th avenue", "US:10118", nil},
		{"us hash unit", Address{Text: "350 5th Ave #4B, New York, NY 10118"},
			"US|10118|350|4b|5th avenue", "US:10118", nil},
		{"es calle abbreviation", Address{Text: "C/ Mayor 5, 28013 Madrid", Country: "ES"},
			"ES|28013|5||calle mayor", "ES:28013", nil},
		{"pl ulica", Address{Text: "ul. Marszałkowska 10, 00-950 Warszawa"},
			"PL|00-950|10||marszalkowska ulica", "PL:00-950", nil},
		{"pl house slash flat", Address{Text: "ul. Marszałkowska 12/34, 00-950 Warszawa", Country: "PL"},
			"PL|00-950|12|34|marszalkowska ulica", "PL:00-950", nil},
		{"au unit slash", Address{Text: "2/10 Smith St, Sydney NSW 2000"},
			"AU|2000|10|2|smith street", "AU:2000", nil},
		{"ie eircode", Address{Text: "5 Main Street, Dublin 2, D02 X285"},
			"IE|D02 X285|5||main street", "IE:D02 X285", nil},
		{"no country, ambiguous postcode", Address{Line1: "Hauptstrasse 5", Postcode: "10115"},
			"|10115|5||hauptstrasse", "ZZ:10115", nil},
		{"kind flag sanitised", Address{Kind: "home<script>", Text: "10 High St, Leeds LS1 4AB"},
			"GB|LS1 4AB|10||high street", "GB:LS1 4AB", nil},
		{"homoglyph cyrillic i", Address{Text: "10 H\u0456gh St, Leeds LS1 4AB"},
			"GB|LS1 4AB|10||high street", "GB:LS1 4AB", nil},
		{"zero-width characters", Address{Text: "10 Hi\u200bgh\u200d St,\ufeff Leeds LS1\u200b 4AB"},
			"GB|LS1 4AB|10||high street", "GB:LS1 4AB", nil},
		{"full-width digits and letters", Address{Text: "１０ High St, Leeds ＬＳ１ ４ＡＢ"},
			"GB|LS1 4AB|10||high street", "GB:LS1 4AB", nil},
		{"arabic-indic house number", Address{Text: "\u0661\u0660 High St, Leeds LS1 4AB"},
			"GB|LS1 4AB|10||high street", "GB:LS1 4AB", nil},
		// No postcode rule for RU: the postcode is only taken from the postcode field.
		{"all cyrillic street left alone", Address{Text: "ул. Тверская 7, Москва", Postcode: "125009", Country: "RU"},
			"RU|125009|7||москва тверская ул", "RU:125009", nil},
		{"empty", Address{Kind: "home"}, "", "", nil},
		{"punctuation only", Address{Text: " ,;- / "}, "", "", nil},
		{"key given back", Address{Text: "GB|LS1 4AB|10|2|high street"},
			"GB|LS1 4AB|10|2|high street", "GB:LS1 4AB", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids := AddressIdentifiers(tc.in)
			var addr, pc *Identifier
			for i := range ids {
				switch ids[i].Kind {
				case KindAddress:
					addr = &ids[i]
				case KindPostcode:
					pc = &ids[i]
				}
			}
			if tc.key == "" {
				if addr != nil {
					t.Fatalf("got address %q, want none", addr.Value)
				}
				return
			}
			if addr == nil {
				t.Fatalf("no address identifier, want %q", tc.key)
			}
			if addr.Value != tc.key {
				t.Errorf("key = %q, want %q", addr.Value, tc.key)
			}
			if !slices.Equal(addr.Flags, tc.flags) {
				t.Errorf("flags = %v, want %v", addr.Flags, tc.flags)
			}
			got := ""
			if pc != nil {
				got = pc.Value
			}
			if got != tc.postcode {
				t.Errorf("postcode = %q, want %q", got, tc.postcode)
			}
			if k, _ := AddressKey(tc.in); k.Value != addr.Value {
				t.Errorf("AddressKey = %q, AddressIdentifiers = %q", k.Value, addr.Value)
			}
		})
	}
}

// TestAddressKeySame lists spellings of one delivery point that must share a key.
func TestAddressKeySame(t *testing.T) {
	groups := map[string][]Address{
		"leeds flat": {
			{Text: "Flat 2, 10 High St, Leeds LS1 4AB"},
			{Text: "flat 2 10 high street leeds ls14ab"},
			{Text: "Apartment 2, 10 High Street, LEEDS, LS1 4AB, UK"},
			{Text: "10 High St Flat 2, Leeds, West Yorkshire LS1 4AB"},
			{Line1: "10 High St.", Line2: "Apt. 2", City: "Leeds", Region: "West Yorkshire", Postcode: "LS1 4AB", Country: "GB"},
			{Text: "Ｆｌａｔ ２, １０ Ｈｉｇｈ Ｓｔ, Ｌｅｅｄｓ ＬＳ１ ４ＡＢ"},
		},
		"us suite parts and text": {
			{Text: "Suite 210, 350 5th Ave, New York, NY 10118", Country: "US"},
			{Line1: "350 5th Ave", Line2: "Suite 210", City: "New York", Region: "NY", Postcode: "10118", Country: "US"},
		},
		"berlin flat": {
			{Text: "Whg. 3, Hauptstraße 5, 10115 Berlin", Country: "DE"},
			{Line1: "Hauptstraße 5", Line2: "Whg. 3", City: "Berlin", Postcode: "10115", Country: "DE"},
		},
		"berlin": {
			{Text: "Hauptstraße 5, 10115 Berlin", Country: "DE"},
			{Text: "Hauptstr. 5, 10115 Berlin", Country: "DE"},
			{Text: "HAUPTSTRASSE 5 10115 BERLIN", Country: "de"},
			{Line1: "Hauptstr 5", City: "Berlin", Postcode: "10115", Country: "Germany"},
		},
	}
	for name, g := range groups {
		t.Run(name, func(t *testing.T) {
			first, _ := AddressKey(g[0])
			for _, a := range g[1:] {
				if k, _ := AddressKey(a); k.Value != first.Value {
					t.Errorf("%+v: key %q, want %q", a, k.Value, first.Value)
				}
			}
		})
	}
}

// TestAddressKeyDifferent lists neighbours that must not share a key: the key exists
// to tell one flat from the next.
func TestAddressKeyDifferent(t *testing.T) {
	pairs := [][2]Address{
		{{Text: "Flat 2, 10 High St, Leeds LS1 4AB"}, {Text: "Flat 3, 10 High St, Leeds LS1 4AB"}},
		{{Text: "10 High St, Leeds LS1 4AB"}, {Text: "12 High St, Leeds LS1 4AB"}},
		{{Text: "10 High St, Leeds LS1 4AB"}, {Text: "10 High St, Leeds LS1 4AD"}},
		{{Text: "PO Box 10, Leeds LS1 4AB"}, {Text: "10 Box Lane, Leeds LS1 4AB"}},
		{{Text: "10 High St, Leeds LS1 4AB"}, {Text: "10 High Rd, Leeds LS1 4AB"}},
	}
	for _, p := range pairs {
		a, _ := AddressKey(p[0])
		b, _ := AddressKey(p[1])
		if a.Value == b.Value {
			t.Errorf("%q and %q share key %q", p[0].Text, p[1].Text, a.Value)
		}
	}
}

// TestAddrExpandIdempotent checks that every expansion is a fixed point, which the
// idempotence of address keys rests on.
func TestAddrExpandIdempotent(t *testing.T) {
	countries := []string{"", "GB", "US", "DE", "AT", "NL", "BE", "FR", "ES", "IT", "PT", "PL", "SE", "DK", "RU"}
	var toks []string
	for k, v := range addrAbbrev {
		toks = append(toks, k, v)
	}
	for _, cc := range countries {
		for _, tok := range toks {
			e := addrExpand(tok, cc)
			if e2 := addrExpand(e, cc); e2 != e {
				t.Errorf("country %q: %q -> %q -> %q", cc, tok, e, e2)
			}
			c := addrCanonical(tok, cc)
			var again []string
			for _, x := range c {
				again = append(again, addrCanonical(x, cc)...)
			}
			if !slices.Equal(c, again) {
				t.Errorf("country %q: canonical %q = %v, again %v", cc, tok, c, again)
			}
		}
	}
}

func TestAddressLongInput(t *testing.T) {
	long := strings.Repeat("10 High Street \u200b", 100000) + "Leeds LS1 4AB"
	id, ok := AddressKey(Address{Text: long})
	if !ok {
		t.Fatal("no identifier")
	}
	if len(id.Raw) > maxAddressBytes || len(id.Value) > 4*maxAddressBytes {
		t.Errorf("raw %d bytes, value %d bytes: not capped", len(id.Raw), len(id.Value))
	}
}

func TestAddressCountry(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GB", "GB"}, {"uk", "GB"}, {"United Kingdom", "GB"}, {"GBR", "GB"}, {"Deutschland", "DE"},
		{"Österreich", "AT"}, {"España", "ES"}, {"the Netherlands", "NL"}, {"EL", "GR"},
		{"xk", "XK"}, {"Narnia", ""}, {"", ""}, {"1A", ""},
	}
	for _, tc := range tests {
		if got := AddressCountry(tc.in); got != tc.want {
			t.Errorf("AddressCountry(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzAddressKey checks that no input panics and that keys are fixed points: a key
// given back as an address yields itself, as do the key's own parts.
func FuzzAddressKey(f *testing.F) {
	f.Add("Flat 2, 10 High St, Leeds LS1 4AB", "", "")
	f.Add("Hauptstr. 5, 10115 Berlin", "DE", "")
	f.Add("1600 Pennsylvania Ave NW, Washington, DC 20500-0003", "", "")
	f.Add("2/10 Smith St, Sydney NSW 2000", "", "")
	f.Add("10 H\u0456gh St\u200b, Leeds ＬＳ１ ４ＡＢ", "GB", "")
	f.Add("Bahnhofplatzstrasse 1", "DE", "10115")
	f.Add("GB|ls1 4ab|10|2|st high", "", "")
	f.Add("Postfach 12, D-10115", "de", "")
	f.Add("ул. Тверская 7", "RU", "125009")
	f.Add("0", "Ǣ", "") // a ligature letter with a mark: spelled out after the mark goes
	f.Fuzz(func(t *testing.T, text, country, postcode string) {
		for _, a := range []Address{
			{Text: text, Country: country},
			{Line1: text, City: country, Postcode: postcode, Country: country},
		} {
			id, ok := AddressKey(a)
			if !ok {
				continue
			}
			again, ok := AddressKey(Address{Text: id.Value})
			if !ok || again.Value != id.Value {
				t.Fatalf("%+v: key %q, again %q (%v)", a, id.Value, again.Value, ok)
			}
			for _, pc := range AddressIdentifiers(a) {
				if pc.Kind != KindPostcode {
					continue
				}
				if p2, ok := Postcode(pc.Value, ""); !ok || p2.Value != pc.Value {
					t.Fatalf("%+v: postcode %q, again %q (%v)", a, pc.Value, p2.Value, ok)
				}
			}
		}
	})
}

// addrFoldChain is addrFold as first written, with a transform.Chain: the reference the
// allocation-free version must agree with.
func addrFoldChain(s string) string {
	if nameASCII(s) {
		return strings.ToLower(s)
	}
	s = norm.NFKC.String(s)
	s = addrLetterReplacer.Replace(s)
	t := transform.Chain(norm.NFD, runes.Remove(runes.Predicate(func(r rune) bool {
		return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Me, r)
	})), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// addrFoldCases are adversarial address texts: diacritics, enclosing marks, zero-width
// and bidi characters, full-width forms, mixed scripts, invalid UTF-8, long input.
var addrFoldCases = []string{
	"Straße 5", "ÅLESUND", "Rue de l’Église", "１２ Ｈｉｇｈ Ｓｔ", "Ma\u200bin\u200d St\u00ad",
	"\u202eteertS\u202c", "1\u20dd Road", "Zürich\xff\xfe", "\xe2\x82", "ул. Ленина 5",
	"Ｌｏｎｄｏｎ ＳＷ１Ａ", "Łódź ﬁeld", "e\u0301\u0301\u0301", strings.Repeat("é", 3000),
}

// The written-out fold must give exactly what the transform chain gave.
func TestAddrFoldMatchesChain(t *testing.T) {
	for _, s := range addrFoldCases {
		if got, want := addrFold(s), addrFoldChain(s); got != want {
			t.Errorf("addrFold(%q) = %q, chain gives %q", s, got, want)
		}
	}
}

func FuzzAddrFoldMatchesChain(f *testing.F) {
	for _, s := range addrFoldCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := addrFold(s), addrFoldChain(s); got != want {
			t.Errorf("addrFold(%q) = %q, chain gives %q", s, got, want)
		}
	})
}

// addrTokenizeReference is addrTokenize before it sliced tokens out of the folded
// text instead of building each one.
//
// addrTokenize folds s and splits it into tokens. Commas, semicolons, pipes and line
// breaks start a new segment; apostrophes vanish ("John's" = "Johns").
func addrTokenizeReference(s string, seg int, loc bool) []addrTok {
	f := addrFold(s)
	var toks []addrTok
	var cur strings.Builder
	sep := byte(0)
	if seg > 0 {
		sep = ','
	}
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, addrTok{s: addrDeconfuse(cur.String()), seg: seg, sep: sep, loc: loc})
			cur.Reset()
			sep = ' '
		}
	}
	for _, r := range f {
		if d, ok := addrDigit(r); ok {
			cur.WriteByte(d)
			continue
		}
		switch {
		case unicode.IsLetter(r):
			cur.WriteRune(r)
		case r == '\'' || r == '\u2019' || r == '\u02bc' || r == '`' || r == '\u2018':
		case r == '#':
			flush()
			toks = append(toks, addrTok{s: "#", seg: seg, sep: sep, loc: loc})
			sep = ' '
		case r == ',' || r == ';' || r == '|' || r == '\n' || r == '\r':
			flush()
			if len(toks) > 0 && toks[len(toks)-1].seg == seg {
				seg++
			}
			sep = ','
		case r == '/' || r == '-' || unicode.Is(unicode.Pd, r):
			flush()
			if sep != ',' {
				if r == '/' {
					sep = '/'
				} else {
					sep = '-'
				}
			}
		default:
			flush()
		}
	}
	flush()
	return toks
}

var addrTokenizeSeeds = []string{
	"", "a", "'", "''a", "a'", "a'b", "O'Brien's Rd", "1٢٣", "٢a'b٣", "x٢",
	"Flat 2, 10 High St, Leeds LS1 4AB", "#4-5/6;7|8\n9", "ул. Тверская 7", "Straße 5\u200b", "ÿ aÿb",
	"ＬＳ１ ４ＡＢ", "ab’cdʼef`gh‘ij", "O'Brien's 1٢ Rd’s #4-5/6; x'y' ''",
}

func TestAddrTokenizeMatchesReference(t *testing.T) {
	for _, s := range addrTokenizeSeeds {
		checkAddrTokenize(t, s)
	}
}

// FuzzAddrTokenizeMatchesReference checks addrTokenize against addrTokenizeReference.
func FuzzAddrTokenizeMatchesReference(f *testing.F) {
	for _, s := range addrTokenizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<12 {
			return
		}
		checkAddrTokenize(t, s)
	})
}

func checkAddrTokenize(t *testing.T, s string) {
	t.Helper()
	for _, loc := range []bool{false, true} {
		if got, want := addrTokenize(s, 1, loc), addrTokenizeReference(s, 1, loc); !slices.Equal(got, want) {
			t.Fatalf("addrTokenize(%q) = %+v, reference %+v", s, got, want)
		}
	}
}
