package ingest

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FlagAddressPOBox marks an address that is a post-office box (or Postfach, Postbus,
// apartado, locked bag, private mailbox): a mail drop, not a place anyone lives.
const FlagAddressPOBox = "po_box"

// maxAddressBytes caps the address text that is examined: real addresses are short, and
// the cap keeps a hostile 4 MB "address" from costing more than a real one.
const maxAddressBytes = 1024

// ParsedAddress is a postal address reduced to the parts that identify a delivery point.
// Every field is already canonical: lower-case ASCII-folded tokens, a formatted postcode.
type ParsedAddress struct {
	Country       string   // ISO 3166-1 alpha-2; "" when unknown
	Postcode      string   // canonical ("LS1 4AB") when valid, else compact upper case; "" when none
	PostcodeRaw   string   // the postcode as written, when one was found
	PostcodeValid bool     // the postcode matches the country's format
	PostcodeCheck bool     // the country has a postcode rule (else the postcode is unchecked)
	House         string   // house (or PO box) number: "10", "10a", "10-12", "12bis"
	Unit          string   // flat, apartment, unit or suite number: "2", "2b"
	POBox         bool     // a post-office box
	Street        []string // street and place tokens, expanded, without stop words, sorted, unique
}

// Key is the canonical address key:
//
//	country|postcode|house|unit|street tokens
//
// for example "GB|LS1 4AB|10|2|high street". The postcode leads because it is the most
// specific part that is written consistently; the house and unit numbers follow because
// they separate the neighbours that share it (a laptop farm is one flat, not a street).
// Street tokens are sorted so that the order of free text, parts and languages ("Straße
// Haupt", "Hauptstraße") does not matter. With a valid postcode the locality (town,
// county, state) is left out, since the postcode implies it and its spelling varies
// ("Leeds", "City of Leeds"); without one the locality stays in as the only place marker.
// Pipes cannot occur inside parts (they are separators in the input folding), so the key
// splits back into its parts: see ParseAddressKey.
func (p ParsedAddress) Key() string {
	return p.Country + "|" + p.Postcode + "|" + p.House + "|" + p.Unit + "|" + strings.Join(p.Street, " ")
}

// IsZero reports whether nothing of the address survived normalisation.
func (p ParsedAddress) IsZero() bool {
	return p.Postcode == "" && p.House == "" && p.Unit == "" && !p.POBox && len(p.Street) == 0
}

// AddressKey normalises a postal address to its address identifier, whose value is
// ParsedAddress.Key. The address kind (home, shipping, ...) and "po_box" are flags. A key
// given back as free text is recognised and returned unchanged (idempotence).
func AddressKey(a Address) (Identifier, bool) {
	return addressKey(a, ParseAddress(a))
}

func addressKey(a Address, p ParsedAddress) (Identifier, bool) {
	if p.IsZero() {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindAddress, Value: p.Key(), Raw: addressRaw(a), Valid: true}
	if k := addressKindFlag(a.Kind); k != "" {
		id.Flags = append(id.Flags, k)
	}
	if p.POBox {
		id.Flags = append(id.Flags, FlagAddressPOBox)
	}
	return id, true
}

// AddressIdentifiers returns the identifiers of one address: the address key and, when
// the address has a postcode, a postcode identifier ("GB:LS1 4AB"; see Postcode).
func AddressIdentifiers(a Address) []Identifier {
	p := ParseAddress(a)
	if p.IsZero() {
		return nil
	}
	addr, _ := addressKey(a, p)
	ids := []Identifier{addr}
	if p.Postcode != "" {
		r := postcodeResult{country: p.Country, code: p.Postcode, valid: p.PostcodeValid, checked: p.PostcodeCheck}
		ids = append(ids, r.identifier(p.PostcodeRaw))
	}
	return ids
}

func (x *extraction) addresses() {
	for _, a := range x.rec.Addresses {
		for _, id := range AddressIdentifiers(a) {
			x.add(id, true)
		}
	}
}

// addressRaw is the address as given, for display: the text, or the parts joined.
func addressRaw(a Address) string {
	if a.Text != "" {
		return addrCap(a.Text, maxAddressBytes)
	}
	var parts []string
	for _, s := range []string{a.Line1, a.Line2, a.City, a.Region, a.Postcode, a.Country} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return addrCap(strings.Join(parts, ", "), maxAddressBytes)
}

// addressKindFlag turns the address kind into a flag: a short lower-case word, or "" when
// the input is not one (a flag is not a place for arbitrary text).
func addressKindFlag(kind string) string {
	k := strings.ToLower(strings.TrimSpace(kind))
	if k == "" || len(k) > 24 {
		return ""
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && c != '_' {
			return ""
		}
	}
	return k
}

// ParseAddress normalises an address given as free text or as parts.
//
// Steps: fold (NFKC, diacritics, ß to ss, zero-width characters removed, case, Latin
// look-alikes inside mixed-script words); split into comma segments and tokens; take the
// country from the country field, else a country name at the end of the text, else the
// postcode's shape; find the postcode (the field, else the last token or token pair that
// is a valid postcode); expand abbreviations (St, Rd, Str., av., bd, C/...); take the PO
// box, unit (Flat 2, Apt 4B, #4, 2/10) and house number; drop the locality when the
// postcode is valid; drop stop words; sort.
func ParseAddress(a Address) ParsedAddress {
	if a.Text != "" && a.Line1 == "" && a.Line2 == "" && a.City == "" {
		if p, ok := ParseAddressKey(a.Text); ok {
			return p
		}
	}
	country := AddressCountry(a.Country)
	var toks []addrTok
	if a.Text != "" {
		toks = addrTokenize(addrCap(a.Text, maxAddressBytes), 0, false)
	} else {
		seg := 0
		for i, part := range []string{a.Line1, a.Line2, a.City, a.Region} {
			t := addrTokenize(addrCap(part, maxAddressBytes/4), seg, i >= 2)
			if len(t) > 0 {
				seg = t[len(t)-1].seg + 1
				t[0].sep = ','
			}
			toks = append(toks, t...)
		}
	}
	toks, named := addrTrailingCountry(toks)
	if country == "" {
		country = named
	}

	var p ParsedAddress
	// The postcode field wins over the lines; free text is searched first, since a
	// postcode left in it would otherwise end up among the street words.
	pcRaw := strings.TrimSpace(a.Postcode)
	found := false
	if a.Text != "" || pcRaw == "" {
		if r, raw, ok := addrFindPostcode(toks, country); ok {
			p.setPostcode(r, raw)
			found = true
		}
	}
	if !found && pcRaw != "" {
		if r, ok := normalizePostcode(pcRaw, country); ok {
			p.setPostcode(r, addrCap(pcRaw, maxPostcodeBytes))
		}
	}
	if p.Country == "" {
		p.Country = country
	}
	addrStructure(&p, toks)
	return p
}

func (p *ParsedAddress) setPostcode(r postcodeResult, raw string) {
	p.Country, p.Postcode, p.PostcodeRaw = r.country, r.code, raw
	p.PostcodeValid, p.PostcodeCheck = r.valid, r.checked
}

// ParseAddressKey splits an address key (ParsedAddress.Key) back into its parts and
// re-normalises each, so that any key-shaped string maps to a canonical key and a
// canonical key maps to itself. It reports false when s is not key-shaped (five fields
// separated by pipes, the first empty or a two-letter country).
func ParseAddressKey(s string) (ParsedAddress, bool) {
	// Folding can lengthen text (NFKC spells some ligatures out), so a key may be longer
	// than the text it came from; anything beyond this is not a key.
	if len(s) > 32*maxAddressBytes || strings.Count(s, "|") != 4 {
		return ParsedAddress{}, false
	}
	f := strings.Split(s, "|")
	if len(f) != 5 {
		return ParsedAddress{}, false
	}
	var p ParsedAddress
	if f[0] != "" {
		if len(f[0]) != 2 || !addrAllUpper(f[0]) {
			return ParsedAddress{}, false
		}
		p.Country = AddressCountry(f[0])
	}
	if r, ok := normalizePostcode(f[1], p.Country); ok {
		p.setPostcode(r, f[1])
		if p.Country == "" {
			p.Country = r.country
		}
	}
	p.House = addrNumberPart(f[2])
	p.Unit = addrNumberPart(f[3])
	for _, t := range addrTokenize(f[4], 0, false) {
		p.Street = append(p.Street, addrCanonical(t.s, p.Country)...)
	}
	if i := slices.Index(p.Street, addrPOBoxToken); i >= 0 {
		p.POBox = true
	}
	p.Street = addrFinishStreet(p.Street)
	return p, true
}

// addrNumberPart canonicalises a house or unit number: folded letters, digits and inner
// dashes only.
func addrNumberPart(s string) string {
	var b strings.Builder
	for _, r := range addrFold(s) {
		if d, ok := addrDigit(r); ok {
			b.WriteByte(d)
		} else if r < 0x80 && unicode.IsLetter(r) {
			b.WriteRune(r)
		} else if r == '-' && b.Len() > 0 {
			b.WriteByte('-')
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// addrTok is one token of an address: a run of letters and digits, or "#".
type addrTok struct {
	s    string
	seg  int  // comma segment
	sep  byte // what precedes it: 0 start, ' ' space, '-' dash, '/' slash, ',' segment break
	loc  bool // from the city or region field
	used bool // consumed as postcode, unit, house or PO box
	pc   bool // part of the postcode
}

// addrFold folds text for matching: compatibility forms (full-width, ligatures),
// letters that do not decompose (ß, æ, ø, ł, ...), diacritics and format characters
// (zero-width space and joiners, soft hyphen, BOM) removed, then lower case.
func addrFold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	s = norm.NFKC.String(s)
	// NFD, drop marks and format characters, NFC. Written out rather than as a
	// transform.Chain, which allocates its buffers anew on every call. Ranging over the
	// string turns an invalid byte into U+FFFD, as runes.Remove did.
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if r < utf8.RuneSelf || !(unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Me, r)) {
			b.WriteRune(r)
		}
	}
	// Letters are spelled out after the marks are gone: "Ǣ" is "Æ" with a macron, and
	// spelling out first left an "æ" that the next fold turned into "ae" (FuzzAddressKey).
	return addrLetterReplacer.Replace(strings.ToLower(norm.NFC.String(b.String())))
}

// addrLetterReplacer spells out letters that have no decomposition to a base letter.
// Safe for concurrent use, and never changed after construction.
var addrLetterReplacer = strings.NewReplacer(
	"ß", "ss", "ẞ", "ss", "æ", "ae", "Æ", "ae", "œ", "oe", "Œ", "oe", "ø", "o", "Ø", "o",
	"đ", "d", "Đ", "d", "ð", "d", "Ð", "d", "ł", "l", "Ł", "l", "ı", "i", "þ", "th", "Þ", "th",
	"ħ", "h", "Ħ", "h", "ŧ", "t", "Ŧ", "t",
)

// addrDigit maps a decimal digit of any common script (ASCII, Arabic-Indic, Persian,
// Devanagari, Bengali) to its ASCII form. Full-width digits are already ASCII after NFKC.
func addrDigit(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= 0x660 && r <= 0x669:
		return byte('0' + r - 0x660), true
	case r >= 0x6F0 && r <= 0x6F9:
		return byte('0' + r - 0x6F0), true
	case r >= 0x966 && r <= 0x96F:
		return byte('0' + r - 0x966), true
	case r >= 0x9E6 && r <= 0x9EF:
		return byte('0' + r - 0x9E6), true
	}
	return 0, false
}

// addrTokenize folds s and splits it into tokens. Commas, semicolons, pipes and line
// breaks start a new segment; apostrophes vanish ("John's" = "Johns").
func addrTokenize(s string, seg int, loc bool) []addrTok {
	f := addrFold(s)
	var toks []addrTok
	// The current token is f[start:end] while it is a run of f as written, the common
	// case, which costs no allocation; once a character is dropped or rewritten inside
	// it, it is built in cur instead.
	start, end := -1, -1
	var cur []byte
	built := false
	sep := byte(0)
	if seg > 0 {
		sep = ','
	}
	flush := func() {
		if start < 0 {
			return
		}
		var tok string
		if built {
			tok = string(cur)
		} else {
			tok = f[start:end]
		}
		toks = append(toks, addrTok{s: addrDeconfuse(tok), seg: seg, sep: sep, loc: loc})
		start, built, cur = -1, false, cur[:0]
		sep = ' '
	}
	// keep adds f[i:j] to the token as it is; put adds b, which f does not hold there.
	keep := func(i, j int) {
		switch {
		case start < 0:
			start, end = i, j
		case built:
			cur = append(cur, f[i:j]...)
		case i == end:
			end = j
		default: // something was skipped since the token began
			cur, built = append(append(cur[:0], f[start:end]...), f[i:j]...), true
		}
	}
	put := func(i int, b byte) {
		if start >= 0 && !built {
			cur, built = append(cur[:0], f[start:end]...), true
		}
		if start < 0 {
			start, built, cur = i, true, cur[:0]
		}
		cur = append(cur, b)
	}
	for i, r := range f {
		n := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, n = utf8.DecodeRuneInString(f[i:])
		}
		if d, ok := addrDigit(r); ok {
			if r < utf8.RuneSelf {
				keep(i, i+n)
			} else {
				put(i, d)
			}
			continue
		}
		switch {
		case unicode.IsLetter(r):
			keep(i, i+n)
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

// addrDeconfuse maps Cyrillic and Greek letters that look Latin to their Latin twins,
// but only inside a word that mixes Latin with them: "Hіgh" with a Cyrillic і is an
// evasion, while an all-Cyrillic street name is left alone.
func addrDeconfuse(tok string) string {
	latin, other := false, false
	for _, r := range tok {
		switch {
		case r < 0x80:
			latin = latin || unicode.IsLetter(r)
		case unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r):
			other = true
		}
	}
	if !latin || !other {
		return tok
	}
	return strings.Map(func(r rune) rune {
		if l, ok := addrConfusables[r]; ok {
			return l
		}
		return r
	}, tok)
}

// addrConfusables maps lower-case Cyrillic and Greek letters to the Latin letters they
// are drawn like (Unicode confusables, the lower-case subset). Read-only.
var addrConfusables = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd',
	'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ь': 'b', 'г': 'r', 'п': 'n',
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
	'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y', 'ω': 'w',
}

// addrTrailingCountry removes a country name from the end of the tokens and returns its
// code. Codes and short names that are also words ("de", "it", "no") count only as a
// segment of their own ("..., DE"); the whole text is never removed.
func addrTrailingCountry(toks []addrTok) ([]addrTok, string) {
	for n := min(4, len(toks)-1); n >= 1; n-- {
		tail := toks[len(toks)-n:]
		if tail[0].seg != tail[n-1].seg || tail[0].loc {
			continue
		}
		words := make([]string, n)
		for i, t := range tail {
			words[i] = t.s
		}
		name := strings.Join(words, " ")
		cc, ok := addrCountryNames[name]
		if !ok {
			continue
		}
		if len(name) <= 3 && tail[0].sep != ',' && name != "uk" && name != "usa" {
			continue
		}
		return toks[:len(toks)-n], cc
	}
	return toks, ""
}

// AddressCountry normalises a country field to ISO 3166-1 alpha-2: a two-letter code
// (UK becomes GB, EL becomes GR), a three-letter code or an English or native name of the
// countries whose postcodes are checked here. It returns "" when it cannot tell, and for
// ZZ, ISO's code for an unknown country.
func AddressCountry(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	f := strings.Join(strings.FieldsFunc(addrFold(s), func(r rune) bool {
		return !unicode.IsLetter(r)
	}), " ")
	if cc, ok := addrCountryNames[f]; ok {
		return cc
	}
	if len(f) == 2 && f[0] >= 'a' && f[0] <= 'z' && f[1] >= 'a' && f[1] <= 'z' && f != "zz" {
		return strings.ToUpper(f)
	}
	return ""
}

// addrCountryNames maps folded country names and codes to ISO 3166-1 alpha-2. Read-only.
var addrCountryNames = map[string]string{
	"uk": "GB", "gb": "GB", "gbr": "GB", "united kingdom": "GB", "great britain": "GB",
	"britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
	"united kingdom of great britain and northern ireland": "GB",
	"us": "US", "usa": "US", "united states": "US", "united states of america": "US", "u s a": "US",
	"de": "DE", "deu": "DE", "germany": "DE", "deutschland": "DE",
	"fr": "FR", "fra": "FR", "france": "FR",
	"nl": "NL", "nld": "NL", "netherlands": "NL", "the netherlands": "NL", "nederland": "NL", "holland": "NL",
	"be": "BE", "bel": "BE", "belgium": "BE", "belgie": "BE", "belgique": "BE", "belgien": "BE",
	"es": "ES", "esp": "ES", "spain": "ES", "espana": "ES",
	"it": "IT", "ita": "IT", "italy": "IT", "italia": "IT",
	"pl": "PL", "pol": "PL", "poland": "PL", "polska": "PL",
	"ie": "IE", "irl": "IE", "ireland": "IE", "republic of ireland": "IE", "eire": "IE",
	"pt": "PT", "prt": "PT", "portugal": "PT",
	"se": "SE", "swe": "SE", "sweden": "SE", "sverige": "SE",
	"at": "AT", "aut": "AT", "austria": "AT", "osterreich": "AT", "oesterreich": "AT",
	"dk": "DK", "dnk": "DK", "denmark": "DK", "danmark": "DK",
	"au": "AU", "aus": "AU", "australia": "AU",
	"ca": "CA", "can": "CA", "canada": "CA",
	"ch": "CH", "che": "CH", "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
	"fi": "FI", "fin": "FI", "finland": "FI", "suomi": "FI",
	"no": "NO", "nor": "NO", "norway": "NO", "norge": "NO",
	"lu": "LU", "lux": "LU", "luxembourg": "LU",
	"cz": "CZ", "cze": "CZ", "czechia": "CZ", "czech republic": "CZ",
	"sk": "SK", "svk": "SK", "slovakia": "SK",
	"gr": "GR", "el": "GR", "grc": "GR", "greece": "GR",
	"hu": "HU", "hun": "HU", "hungary": "HU",
	"ro": "RO", "rou": "RO", "romania": "RO",
	"bg": "BG", "bgr": "BG", "bulgaria": "BG",
	"hr": "HR", "hrv": "HR", "croatia": "HR",
	"si": "SI", "svn": "SI", "slovenia": "SI",
	"ee": "EE", "est": "EE", "estonia": "EE",
	"lv": "LV", "lva": "LV", "latvia": "LV",
	"lt": "LT", "ltu": "LT", "lithuania": "LT",
}

// addrUSStates are the two-letter codes of US states, DC and territories: a state code
// right before a ZIP marks a US address whose country is not given.
const addrUSStates = " al ak az ar ca co ct de dc fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy pr gu vi as mp "

// addrAUStates are the Australian state abbreviations, which precede the postcode.
const addrAUStates = " nsw vic qld sa wa tas nt act "

// addrFindPostcode finds the postcode in free-text tokens: scanning from the end, the
// first token pair (joined by a space or dash) or single token that is a valid postcode.
// A purely numeric candidate at the start of the text is a house number, not a postcode.
// With no country known, only shapes unique to one country count, plus a ZIP after a US
// state code and four digits after an Australian state. When no valid postcode is found
// but the country is known, the last candidate with the country's postcode shape is taken
// as an invalid postcode ("LS1 4CI"), so that it is flagged rather than lost in the street.
func addrFindPostcode(toks []addrTok, country string) (postcodeResult, string, bool) {
	candidate := func(i, n int) (string, bool) {
		first := i - n + 1
		if first < 0 || toks[first].s == "#" || toks[i].s == "#" {
			return "", false
		}
		raw := toks[first].s
		if !strings.ContainsAny(toks[i].s, "0123456789") && !strings.ContainsAny(raw, "0123456789") {
			return "", false // every postcode has a digit
		}
		if n == 2 {
			if toks[i].sep != ' ' && toks[i].sep != '-' {
				return "", false
			}
			raw += string(toks[i].sep) + toks[i].s
		}
		if len(raw) > 12 || (first == 0 && pcDigitsOrDash(raw) && len(toks) > n) {
			return "", false
		}
		return raw, true
	}
	use := func(i, n int, r postcodeResult, raw string) (postcodeResult, string, bool) {
		for j := i - n + 1; j <= i; j++ {
			toks[j].used, toks[j].pc = true, true
		}
		return r, strings.ToUpper(raw), true
	}
	for i := len(toks) - 1; i >= 0; i-- {
		for n := 2; n >= 1; n-- {
			raw, ok := candidate(i, n)
			if !ok {
				continue
			}
			cc := country
			if first := i - n + 1; cc == "" && first > 0 && pcDigitsOrDash(raw) {
				prev := " " + toks[first-1].s + " "
				switch {
				case strings.Contains(addrUSStates, prev) && (len(raw) == 5 || len(raw) == 10):
					cc = "US"
				case strings.Contains(addrAUStates, prev) && len(raw) == 4:
					cc = "AU"
				}
			}
			if r, ok := normalizePostcode(raw, cc); ok && r.valid {
				return use(i, n, r, raw)
			}
		}
	}
	if !postcodeHasRule(country) {
		return postcodeResult{}, "", false
	}
	for i := len(toks) - 1; i >= 0; i-- {
		for n := 2; n >= 1; n-- {
			raw, ok := candidate(i, n)
			if !ok || !postcodeLoose(country, postcodeCompact(raw)) {
				continue
			}
			if r, ok := normalizePostcode(raw, country); ok {
				return use(i, n, r, raw)
			}
		}
	}
	return postcodeResult{}, "", false
}

func pcDigitsOrDash(s string) bool {
	for i := 0; i < len(s); i++ {
		if !pcIsDigit(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// addrPOBoxToken stands for "post-office box" among the street tokens of a key.
const addrPOBoxToken = "pobox"

// addrStructure fills the house, unit, PO box and street tokens of p from the tokens not
// used by the postcode.
func addrStructure(p *ParsedAddress, toks []addrTok) {
	// Expand positional abbreviations first: "St" before a name is Saint, after one Street.
	for i := range toks {
		if toks[i].used {
			continue
		}
		switch toks[i].s {
		case "st", "ste":
			next := i+1 < len(toks) && !toks[i+1].used && toks[i+1].seg == toks[i].seg
			nextWord := next && !addrIsNumberTok(toks[i+1].s) && toks[i+1].s != "#"
			startOrNum := i == 0 || toks[i-1].seg != toks[i].seg || addrIsNumberTok(toks[i-1].s)
			switch {
			case toks[i].s == "ste" && next && addrIsNumberTok(toks[i+1].s):
				toks[i].s = "suite"
			case nextWord && startOrNum:
				if toks[i].s == "ste" {
					toks[i].s = "sainte"
				} else {
					toks[i].s = "saint"
				}
			case toks[i].s == "st":
				toks[i].s = "street"
			}
		}
	}
	house := -1 // the token of the house or PO box number
	// PO boxes: "PO Box 12", "P.O. Box 12", "Post Office Box", "GPO Box", "Postfach 12",
	// "Postbus 12", "Apartado 12", "BP 12", "Locked Bag 12", "PMB 12", "Box 12".
	for i := range toks {
		if toks[i].used {
			continue
		}
		n := addrPOBoxAt(toks, i)
		if n == 0 {
			continue
		}
		if j := i + n; j < len(toks) && !toks[j].used && addrIsNumberTok(toks[j].s) {
			for k := i; k <= j; k++ {
				toks[k].used = true
			}
			p.POBox = true
			p.House = toks[j].s
			house = j
			break
		}
	}
	// Units: a marker word and its value, "#4", and "2/10" (unit 2 of number 10).
	for i := range toks {
		if toks[i].used || p.Unit != "" {
			continue
		}
		if addrUnitMarkers[toks[i].s] {
			j := i + 1
			if j < len(toks) && toks[j].s == "#" {
				j++
			}
			toks[i].used = true
			if j < len(toks) && !toks[j].used && toks[j].seg == toks[i].seg && addrIsUnitValue(toks[j].s) {
				p.Unit = toks[j].s
				for k := i + 1; k <= j; k++ {
					toks[k].used = true
				}
			}
			continue
		}
		if toks[i].s == "#" && i+1 < len(toks) && !toks[i+1].used && addrIsUnitValue(toks[i+1].s) {
			p.Unit = toks[i+1].s
			toks[i].used, toks[i+1].used = true, true
		}
	}
	for i := range toks {
		if !toks[i].used && addrFloorMarkers[toks[i].s] {
			toks[i].used = true
			if i+1 < len(toks) && !toks[i+1].used && len(toks[i+1].s) <= 4 {
				toks[i+1].used = true
			}
		} else if !toks[i].used && toks[i].s == "#" {
			toks[i].used = true
		}
	}
	// House number: the first free number token of the first segment that has one, with
	// a range ("10-12"), a suffix ("12 bis") or an Australian unit prefix ("2/10").
	if !p.POBox {
		for i := range toks {
			t := toks[i]
			if t.used || t.loc || !addrIsNumberTok(t.s) {
				continue
			}
			if (t.s == "no" || t.s == "nr") && i+1 < len(toks) {
				continue
			}
			house = i
			toks[i].used = true
			p.House = t.s
			if i > 0 && toks[i-1].used && (toks[i-1].s == "no" || toks[i-1].s == "nr" || toks[i-1].s == "n") {
				break
			}
			if i+1 < len(toks) && !toks[i+1].used && toks[i+1].seg == t.seg {
				next := toks[i+1]
				switch {
				case next.sep == '/' && addrIsNumberTok(next.s) && p.Unit == "":
					// Australia writes unit/house ("2/10 Smith St"); Poland and most of
					// the Continent write house/flat ("Marszałkowska 12/34").
					p.House, p.Unit = t.s, next.s
					if p.Country == "AU" || p.Country == "NZ" {
						p.Unit, p.House = t.s, next.s
					}
					toks[i+1].used = true
				case next.sep == '-' && addrIsNumberTok(next.s):
					p.House = t.s + "-" + next.s
					toks[i+1].used = true
				case next.s == "bis" || next.s == "ter" || next.s == "quater":
					p.House = t.s + next.s
					toks[i+1].used = true
				}
			}
			break
		}
	}
	// Number markers ("No. 5", "Nr 5") carry no meaning once the number is taken.
	for i := range toks {
		if s := toks[i].s; !toks[i].used && (s == "no" || s == "nr" || s == "nummer" || s == "numero") &&
			i+1 < len(toks) && toks[i+1].used {
			toks[i].used = true
		}
	}
	addrCutLocality(p, toks, house)
	var street []string
	for _, t := range toks {
		if !t.used {
			street = append(street, addrCanonical(t.s, p.Country)...)
		}
	}
	if p.POBox {
		street = append(street, addrPOBoxToken)
	}
	p.Street = addrFinishStreet(street)
}

// addrCutLocality marks the town, county and state tokens as used when a valid postcode
// makes them redundant. In parts they are the city and region fields. In free text they
// are the segments after the street segment (the first that holds the house number or a
// street word) and, inside the street segment, the words after the street: after the
// last street word in English order ("10 High Street Leeds"), after the house number
// where the number follows the street ("Hauptstraße 5 Berlin"), and nothing in French
// order, where the street word leads ("12 rue de la Paix").
func addrCutLocality(p *ParsedAddress, toks []addrTok, house int) {
	if !p.PostcodeValid {
		return
	}
	streetSeg := -1
	for i, t := range toks {
		if t.loc {
			toks[i].used = true
			continue
		}
		if streetSeg < 0 && (i == house || !t.used && (addrStreetWords[addrExpand(t.s, p.Country)] ||
			addrHasStreetSuffix(t.s, p.Country))) {
			streetSeg = t.seg
		}
	}
	if streetSeg < 0 {
		return
	}
	order := addrOrder(p.Country)
	last := -1 // the last token of the street segment that belongs to the street
	for i, t := range toks {
		if t.seg != streetSeg || order == 'F' {
			continue
		}
		e := addrExpand(t.s, p.Country)
		switch {
		case order == 'C' && i == house:
			last = i
		case addrStreetWords[e] || addrHasStreetSuffix(t.s, p.Country):
			last = i
		case addrDirections[e] && last == i-1 && last >= 0:
			last = i
		}
		if order == 'C' && i == house {
			break
		}
	}
	// The town after the postcode ("75002 Paris"), when the street came before it.
	afterPostcode := len(toks)
	for i, t := range toks {
		if t.pc && house >= 0 && house < i {
			afterPostcode = i
		}
	}
	for i, t := range toks {
		if t.seg > streetSeg || (t.seg == streetSeg && last >= 0 && i > last) || i > afterPostcode {
			toks[i].used = true
		}
	}
}

// addrDirections are the compass words that may follow a street type ("Pennsylvania
// Avenue NW"). Read-only.
var addrDirections = map[string]bool{
	"north": true, "south": true, "east": true, "west": true,
	"northeast": true, "northwest": true, "southeast": true, "southwest": true,
}

// addrOrder is a country's street-address order: 'E' for English ("10 High Street"), 'F'
// for French ("12 rue de la Paix": number, street word, name) and 'C' for the Continental
// order where the number follows the street ("Hauptstraße 5", "Calle Mayor 5").
func addrOrder(country string) byte {
	switch country {
	case "GB", "US", "CA", "AU", "IE", "":
		return 'E'
	case "FR", "LU":
		return 'F'
	}
	return 'C'
}

// addrPOBoxAt returns how many tokens from i spell a PO-box marker, or 0.
func addrPOBoxAt(toks []addrTok, i int) int {
	at := func(k int) string {
		if i+k < len(toks) && !toks[i+k].used {
			return toks[i+k].s
		}
		return ""
	}
	switch at(0) {
	case "pobox", "postfach", "postbus", "apartado", "pmb", "gpobox", "postboks", "postbox", "box":
		return 1
	case "po", "gpo", "bp", "cp":
		if at(1) == "box" {
			return 2
		}
		if at(0) == "bp" || at(0) == "cp" {
			return 1
		}
	case "p":
		if at(1) == "o" && at(2) == "box" {
			return 3
		}
	case "post":
		if at(1) == "office" && at(2) == "box" {
			return 3
		}
	case "locked", "private":
		if at(1) == "bag" {
			return 2
		}
	case "casella":
		if at(1) == "postale" {
			return 2
		}
	case "skrytka":
		if at(1) == "pocztowa" {
			return 2
		}
	}
	return 0
}

// addrIsNumberTok reports whether tok is a house-style number: up to six digits and at
// most one trailing letter ("10", "10a"). Ordinals like "5th" are street words.
func addrIsNumberTok(tok string) bool {
	n := 0
	for n < len(tok) && pcIsDigit(tok[n]) {
		n++
	}
	if n == 0 || n > 6 {
		return false
	}
	rest := tok[n:]
	return rest == "" || (len(rest) == 1 && rest[0] >= 'a' && rest[0] <= 'z')
}

// addrIsUnitValue reports whether tok can be a flat or unit number: a house-style
// number ("2", "4b") or one or two ASCII letters ("B").
func addrIsUnitValue(tok string) bool {
	if addrIsNumberTok(tok) {
		return true
	}
	if len(tok) == 0 || len(tok) > 2 {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < 'a' || tok[i] > 'z' {
			return false
		}
	}
	return true
}

// addrUnitMarkers introduce a flat, apartment, unit or suite number. Read-only.
var addrUnitMarkers = map[string]bool{
	"flat": true, "apt": true, "apartment": true, "appt": true, "appartement": true, "apto": true,
	"unit": true, "suite": true, "room": true, "rm": true, "wohnung": true, "whg": true,
	"appartamento": true, "int": true, "interno": true, "lgh": true, "lokal": true,
}

// addrFloorMarkers introduce a floor, which is dropped: it is often left out and adds
// nothing that the unit does not.
var addrFloorMarkers = map[string]bool{
	"floor": true, "fl": true, "etage": true, "stock": true, "og": true, "piso": true,
	"planta": true, "piano": true, "verdieping": true,
}

// addrStreetWords are the canonical street-type words: they end the street part of an
// English-order address. Read-only.
var addrStreetWords = map[string]bool{
	"street": true, "road": true, "avenue": true, "lane": true, "drive": true, "court": true,
	"place": true, "boulevard": true, "square": true, "terrace": true, "crescent": true,
	"close": true, "way": true, "gardens": true, "grove": true, "parkway": true, "highway": true,
	"row": true, "mews": true, "walk": true, "circle": true, "trail": true, "parade": true,
	"hill": true, "rue": true, "chemin": true, "allee": true, "impasse": true, "quai": true,
	"route": true, "strasse": true, "platz": true, "weg": true, "gasse": true, "straat": true,
	"laan": true, "plein": true, "gracht": true, "kade": true, "singel": true, "calle": true,
	"avenida": true, "paseo": true, "plaza": true, "via": true, "viale": true, "piazza": true,
	"corso": true, "ulica": true, "aleja": true, "rua": true, "travessa": true, "gatan": true,
	"vagen": true, "gade": true, "vej": true, "ring": true, "damm": true,
}

// addrAbbrev maps abbreviations and variants to one canonical word, for every language.
// Each canonical word maps to itself or is absent, so expansion is idempotent (a test
// checks this). Read-only.
var addrAbbrev = map[string]string{
	// English.
	"str": "street", "rd": "road", "ave": "avenue", "av": "avenue", "avn": "avenue",
	"ln": "lane", "dr": "drive", "drv": "drive", "ct": "court", "crt": "court", "pl": "place",
	"blvd": "boulevard", "bvd": "boulevard", "bd": "boulevard", "boul": "boulevard",
	"sq": "square", "terr": "terrace", "ter": "terrace", "tce": "terrace", "cres": "crescent",
	"cresc": "crescent", "cl": "close", "gdns": "gardens", "gdn": "gardens", "gro": "grove",
	"gr": "grove", "pkwy": "parkway", "pky": "parkway", "hwy": "highway", "wk": "walk",
	"cir": "circle", "trl": "trail", "pde": "parade", "mt": "mount", "ft": "fort",
	"n": "north", "s": "south", "e": "east", "w": "west", "ne": "northeast",
	"nw": "northwest", "se": "southeast", "sw": "southwest", "nth": "north", "sth": "south",
	"upr": "upper", "lwr": "lower", "gt": "great", "lt": "little",
	"apartments": "apartment", "flats": "flat",
	// German.
	"strase": "strasse",
	// French.
	"r": "rue", "bld": "boulevard", "boulv": "boulevard", "ch": "chemin", "imp": "impasse",
	"rte": "route", "pce": "place", "fbg": "faubourg", "all": "allee", "qu": "quai",
	"boulevard": "boulevard",
	// Dutch.
	"pln": "plein",
	// Spanish, Italian, Portuguese, Polish.
	"c": "calle", "avda": "avenida", "avd": "avenida", "pza": "plaza", "pso": "paseo",
	"ctra": "carretera", "v": "via", "pzza": "piazza", "ul": "ulica", "al": "aleja",
	"trav": "travessa", "pc": "praca",
}

// addrExpand expands one folded token. Tokens that mean different things in different
// countries are expanded by country.
func addrExpand(tok, country string) string {
	switch country {
	case "DE", "AT", "CH":
		switch tok {
		case "str":
			return "strasse"
		case "pl":
			return "platz"
		case "n", "s", "e", "w", "ne", "nw", "se", "sw", "c", "v", "r", "al", "ul", "ch":
			return tok
		}
	case "NL", "BE":
		switch tok {
		case "str":
			return "straat"
		case "ln":
			return "laan"
		case "pln", "pl":
			return "plein"
		case "n", "s", "e", "w", "ne", "nw", "se", "sw", "c", "v", "ul", "al":
			return tok
		}
	case "FR", "LU":
		switch tok {
		case "av":
			return "avenue"
		case "pl":
			return "place"
		case "n", "s", "e", "w", "ne", "nw", "se", "sw", "c", "v", "ul", "al":
			return tok
		}
	case "ES", "IT", "PT":
		switch tok {
		case "av":
			if country == "IT" {
				return "viale"
			}
			return "avenida"
		case "pl", "pza":
			return "plaza"
		case "n", "s", "e", "w", "ne", "nw", "se", "sw", "r", "ch", "ul", "al":
			return tok
		}
	case "PL":
		switch tok {
		case "pl":
			return "plac"
		case "n", "s", "e", "w", "ne", "nw", "se", "sw", "c", "v", "r", "ch":
			return tok
		}
	case "GB", "US", "CA", "AU", "IE":
		switch tok {
		case "c", "v", "r", "ch", "ul", "al", "all", "qu", "imp":
			return tok
		}
	}
	if e, ok := addrAbbrev[tok]; ok {
		return e
	}
	return tok
}

// addrSuffixes are street-type endings of compound words, per language: "Hauptstr." and
// "Hauptstraße" both become "haupt strasse". Only countries whose language compounds
// street names split them, so "Broadway" stays whole.
func addrSuffixes(country string) []string {
	switch country {
	case "DE", "AT", "CH", "LU":
		return []string{"strasse", "str", "platz", "weg", "gasse", "allee", "ring", "damm"}
	case "NL", "BE":
		return []string{"straat", "str", "laan", "weg", "plein", "gracht", "kade", "singel"}
	case "SE":
		return []string{"gatan", "vagen"}
	case "DK", "NO":
		return []string{"gade", "vej", "gate", "vei"}
	}
	return nil
}

// addrHasStreetSuffix reports whether tok is a compound ending in a street word.
func addrHasStreetSuffix(tok, country string) bool {
	for _, suf := range addrSuffixes(country) {
		if len(tok) >= len(suf)+3 && strings.HasSuffix(tok, suf) {
			return true
		}
	}
	return false
}

// addrCanonical turns one street token into its canonical tokens: expanded, with
// compound street words split off (repeatedly, so the result is a fixed point).
func addrCanonical(tok, country string) []string {
	var out []string
	for tok != "" {
		tok = addrExpand(tok, country)
		split := false
		for _, suf := range addrSuffixes(country) {
			if len(tok) >= len(suf)+3 && strings.HasSuffix(tok, suf) {
				out = append(out, addrExpand(suf, country))
				tok = tok[:len(tok)-len(suf)]
				split = true
				break
			}
		}
		if !split {
			out = append(out, tok)
			break
		}
	}
	return out
}

// addrStopWords are articles and prepositions dropped from street tokens. Read-only.
var addrStopWords = map[string]bool{
	"the": true, "of": true, "and": true, "de": true, "del": true, "la": true, "le": true,
	"les": true, "los": true, "las": true, "du": true, "des": true, "van": true, "der": true,
	"den": true, "het": true, "von": true, "di": true, "da": true, "do": true, "dos": true,
	"das": true, "y": true, "et": true, "und": true, "en": true, "im": true, "am": true,
	"an": true, "auf": true, "in": true,
}

// addrFinishStreet drops stop words, sorts and de-duplicates street tokens.
func addrFinishStreet(street []string) []string {
	street = slices.DeleteFunc(street, func(s string) bool { return addrStopWords[s] || s == "" })
	slices.Sort(street)
	street = slices.Compact(street)
	if len(street) == 0 {
		return nil
	}
	return street
}

func addrAllUpper(s string) bool { return pcAllUpper(s) }

// addrCap cuts s to at most n bytes on a rune boundary.
func addrCap(s string, n int) string { return pcCap(s, n) }
