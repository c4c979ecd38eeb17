package ingest

import (
	"strings"
	"unicode"
)

// FlagPostcodeUnchecked marks a postcode whose country has no format rule here (or whose
// country is unknown): it is kept, but nothing vouches for its shape.
const FlagPostcodeUnchecked = "unchecked"

// postcodeUnknownCountry is the country part of a postcode identifier whose country is
// unknown: ISO 3166's user-assigned "unknown" code, so the value keeps the "CC:code" shape.
const postcodeUnknownCountry = "ZZ"

// maxPostcodeBytes caps the raw postcode that is examined. Real postcodes are at most ten
// characters; anything longer is rejected as a postcode without scanning it.
const maxPostcodeBytes = 32

// postcodeResult is one postcode, normalised against a country.
type postcodeResult struct {
	country string // ISO 3166-1 alpha-2, "" when unknown
	code    string // canonical ("LS1 4AB") when valid, else the compact upper-case form
	valid   bool   // the shape matches the country's format
	checked bool   // the country has a format rule here
}

// Postcode normalises a postcode against an ISO 3166-1 alpha-2 country (or a country
// name: see AddressCountry) to the identifier "CC:code", for example "GB:LS1 4AB",
// "US:12345" (ZIP+4 loses its +4), "NL:1012 LG", "PL:00-950". With no country the country
// is inferred from shapes that only one country uses (GB, IE, NL, CA, ZIP+4, PL and PT
// with their dash); otherwise the value is "ZZ:<compact>" flagged "unchecked".
//
// An invalid postcode is kept as its compact upper-case form and flagged "invalid": a
// malformed postcode shared by several personas is still evidence.
func Postcode(raw, country string) (Identifier, bool) {
	r, ok := normalizePostcode(raw, AddressCountry(country))
	if !ok {
		return Identifier{}, false
	}
	return r.identifier(pcCap(raw, maxPostcodeBytes)), true
}

// identifier renders a postcode result as a postcode identifier.
func (r postcodeResult) identifier(raw string) Identifier {
	cc := r.country
	if cc == "" {
		cc = postcodeUnknownCountry
	}
	id := Identifier{Kind: KindPostcode, Value: cc + ":" + r.code, Raw: raw, Valid: r.valid}
	switch {
	case !r.checked:
		id.Valid = true
		id.Flags = []string{FlagPostcodeUnchecked}
	case !r.valid:
		id.Flags = []string{FlagInvalid}
	}
	return id
}

// normalizePostcode normalises raw against country ("" = unknown). It reports false when
// raw holds no letter or digit. A value already in identifier form ("GB:LS1 4AB") is
// accepted, so that normalising a canonical value returns it unchanged.
func normalizePostcode(raw, country string) (postcodeResult, bool) {
	raw = pcCap(raw, maxPostcodeBytes)
	if country == postcodeUnknownCountry {
		country = ""
	}
	if i := strings.IndexByte(raw, ':'); i == 2 {
		if strings.EqualFold(raw[:2], postcodeUnknownCountry) && country == "" {
			raw = raw[3:]
		} else if cc := AddressCountry(raw[:2]); cc != "" && (country == "" || country == cc) {
			country, raw = cc, raw[3:]
		}
	}
	compact := postcodeCompact(raw)
	if compact == "" {
		return postcodeResult{}, false
	}
	if country == "" {
		if cc, ok := postcodeInfer(raw, compact); ok {
			country = cc
		}
	}
	if country == "" || !postcodeHasRule(country) {
		return postcodeResult{country: country, code: compact}, true
	}
	if code, ok := postcodeCheck(country, compact); ok {
		return postcodeResult{country: country, code: code, valid: true, checked: true}, true
	}
	// A legacy or ISO country prefix ("D-10115", "L-1234", "LV-1050") before the digits.
	for _, p := range postcodePrefixes(country) {
		if rest, ok := strings.CutPrefix(compact, p); ok && rest != "" {
			if code, ok := postcodeCheck(country, rest); ok {
				return postcodeResult{country: country, code: code, valid: true, checked: true}, true
			}
		}
	}
	return postcodeResult{country: country, code: compact, checked: true}, true
}

// postcodeCompact folds raw (compatibility forms, so full-width digits become ASCII;
// zero-width characters vanish) and keeps only its letters and digits, upper-cased, at
// most maxPostcodeBytes/2 bytes of them (no postcode is longer, and the cap keeps the
// result readable back whole).
func postcodeCompact(raw string) string {
	f := addrFold(raw)
	var b strings.Builder
	for _, r := range f {
		if d, ok := addrDigit(r); ok {
			b.WriteByte(d)
		} else if unicode.IsLetter(r) {
			b.WriteString(strings.ToUpper(string(r)))
		}
	}
	return pcCap(b.String(), maxPostcodeBytes/2)
}

// postcodeHasRule reports whether postcodeCheck knows country's format.
func postcodeHasRule(country string) bool {
	switch country {
	case "GB", "US", "CA", "IE", "NL", "PL", "PT", "SE", "CZ", "SK", "GR", "DE", "FR", "ES",
		"IT", "FI", "EE", "HR", "LT", "BE", "AT", "DK", "AU", "CH", "NO", "HU", "LU", "SI",
		"LV", "BG", "RO":
		return true
	}
	return false
}

// postcodePrefixes lists the country prefixes that may precede a postcode's digits:
// the ISO code and the old international vehicle code ("D-10115" in Germany).
func postcodePrefixes(country string) []string {
	switch country {
	case "DE":
		return []string{"DE", "D"}
	case "FR":
		return []string{"FR", "F"}
	case "BE":
		return []string{"BE", "B"}
	case "AT":
		return []string{"AT", "A"}
	case "IT":
		return []string{"IT", "I"}
	case "ES":
		return []string{"ES", "E"}
	case "PT":
		return []string{"PT", "P"}
	case "SE":
		return []string{"SE", "S"}
	case "LU":
		return []string{"LU", "L"}
	case "NO":
		return []string{"NO", "N"}
	case "HU":
		return []string{"HU", "H"}
	case "FI":
		return []string{"FI", "FIN"}
	case "CH", "DK", "NL", "PL", "LT", "LV", "CZ", "SK", "GR", "SI", "HR", "BG", "EE", "RO", "US", "AU":
		return []string{country}
	}
	return nil
}

// postcodeCheck validates a compact postcode against country's format and returns its
// canonical written form.
func postcodeCheck(country, c string) (string, bool) {
	switch country {
	case "GB":
		return gbPostcode(c)
	case "US":
		if (len(c) == 5 || len(c) == 9) && pcAllDigits(c) && c[:5] != "00000" {
			return c[:5], true
		}
	case "CA":
		return caPostcode(c)
	case "IE":
		return eircode(c)
	case "NL":
		if len(c) == 6 && pcAllDigits(c[:4]) && c[0] != '0' && pcAllUpper(c[4:]) {
			if s := c[4:]; s != "SA" && s != "SD" && s != "SS" {
				return c[:4] + " " + s, true
			}
		}
	case "PL":
		if len(c) == 5 && pcAllDigits(c) {
			return c[:2] + "-" + c[2:], true
		}
	case "PT":
		if len(c) == 7 && pcAllDigits(c) && c[0] != '0' {
			return c[:4] + "-" + c[4:], true
		}
	case "SE", "CZ", "SK", "GR":
		if len(c) == 5 && pcAllDigits(c) && c[0] != '0' {
			return c[:3] + " " + c[3:], true
		}
	case "DE", "FR":
		if len(c) == 5 && pcAllDigits(c) && c[:2] != "00" {
			return c, true
		}
	case "ES":
		if len(c) == 5 && pcAllDigits(c) && c[:2] >= "01" && c[:2] <= "52" {
			return c, true
		}
	case "IT", "FI", "EE", "HR":
		if len(c) == 5 && pcAllDigits(c) {
			return c, true
		}
	case "LT":
		if len(c) == 5 && pcAllDigits(c) {
			return "LT-" + c, true
		}
	case "BE", "AT", "CH", "HU", "LU", "SI", "BG":
		if len(c) == 4 && pcAllDigits(c) && c[0] != '0' {
			return c, true
		}
	case "LV":
		if len(c) == 4 && pcAllDigits(c) && c[0] != '0' {
			return "LV-" + c, true
		}
	case "DK":
		if len(c) == 4 && pcAllDigits(c) && c >= "0800" {
			return c, true
		}
	case "AU":
		if len(c) == 4 && pcAllDigits(c) && c >= "0200" {
			return c, true
		}
	case "NO":
		if len(c) == 4 && pcAllDigits(c) {
			return c, true
		}
	case "RO":
		if len(c) == 6 && pcAllDigits(c) {
			return c, true
		}
	}
	return "", false
}

// gbPostcode validates a compact UK postcode (outward code A9, A99, AA9, AA99, A9A or
// AA9A, inward code 9AA, with the Royal Mail letter restrictions; GIR 0AA is the one
// historic exception) and returns it with its single space.
func gbPostcode(c string) (string, bool) {
	if c == "GIR0AA" {
		return "GIR 0AA", true
	}
	if len(c) < 5 || len(c) > 7 {
		return "", false
	}
	out, in := c[:len(c)-3], c[len(c)-3:]
	if !pcIsDigit(in[0]) || !strings.ContainsRune("ABDEFGHJLNPQRSTUWXYZ", rune(in[1])) ||
		!strings.ContainsRune("ABDEFGHJLNPQRSTUWXYZ", rune(in[2])) {
		return "", false
	}
	if !pcIsUpper(out[0]) || strings.IndexByte("QVX", out[0]) >= 0 {
		return "", false
	}
	ok := false
	switch len(out) {
	case 2: // A9
		ok = pcIsDigit(out[1])
	case 3: // A99, AA9, A9A
		switch {
		case pcIsDigit(out[1]) && pcIsDigit(out[2]):
			ok = true
		case pcIsUpper(out[1]) && pcIsDigit(out[2]):
			ok = strings.IndexByte("IJZ", out[1]) < 0
		case pcIsDigit(out[1]) && pcIsUpper(out[2]):
			ok = strings.IndexByte("ABCDEFGHJKPSTUW", out[2]) >= 0
		}
	case 4: // AA99, AA9A
		if pcIsUpper(out[1]) && strings.IndexByte("IJZ", out[1]) < 0 && pcIsDigit(out[2]) {
			ok = pcIsDigit(out[3]) || strings.IndexByte("ABEHMNPRVWXY", out[3]) >= 0
		}
	}
	if !ok {
		return "", false
	}
	return out + " " + in, true
}

// caPostcode validates a Canadian postal code, A9A 9A9 without D, F, I, O, Q or U (and
// no W or Z first).
func caPostcode(c string) (string, bool) {
	if len(c) != 6 {
		return "", false
	}
	const letters = "ABCEGHJKLMNPRSTVWXYZ"
	for i := 0; i < 6; i++ {
		if i%2 == 0 {
			if strings.IndexByte(letters, c[i]) < 0 || (i == 0 && (c[i] == 'W' || c[i] == 'Z')) {
				return "", false
			}
		} else if !pcIsDigit(c[i]) {
			return "", false
		}
	}
	return c[:3] + " " + c[3:], true
}

// eircode validates an Irish Eircode: a routing key (a letter and two digits, or D6W)
// and a four-character unique identifier from a restricted alphabet.
func eircode(c string) (string, bool) {
	const alphabet = "ACDEFHKNPRTVWXY0123456789"
	if len(c) != 7 {
		return "", false
	}
	rk := c[:3]
	if rk != "D6W" && (strings.IndexByte("ACDEFHKNPRTVWXY", rk[0]) < 0 || !pcIsDigit(rk[1]) || !pcIsDigit(rk[2])) {
		return "", false
	}
	for i := 3; i < 7; i++ {
		if strings.IndexByte(alphabet, c[i]) < 0 {
			return "", false
		}
	}
	return rk + " " + c[3:], true
}

// postcodeInfer names the country of a postcode whose shape only one country uses. The
// digit-only shapes shared by many countries (five digits: DE, FR, ES, IT, US...; four:
// BE, AT, DK, AU...) infer nothing, so an address without a country never gets a wrong one.
func postcodeInfer(raw, compact string) (string, bool) {
	for _, cc := range [...]string{"GB", "IE", "NL", "CA"} {
		if _, ok := postcodeCheck(cc, compact); ok {
			return cc, true
		}
	}
	// Dash shapes: ZIP+4 "12345-6789", Polish "00-950", Portuguese "1000-001".
	t := strings.TrimSpace(addrFold(raw))
	digits, dash := 0, -1
	for i := 0; i < len(t); i++ {
		switch {
		case pcIsDigit(t[i]):
			digits++
		case t[i] == '-' && dash < 0:
			dash = i
		default:
			return "", false
		}
	}
	switch {
	case dash == 5 && digits == 9:
		return "US", true
	case dash == 2 && digits == 5:
		return "PL", true
	case dash == 4 && digits == 7:
		return "PT", true
	}
	return "", false
}

func pcIsDigit(b byte) bool { return b >= '0' && b <= '9' }
func pcIsUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

func pcAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !pcIsDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func pcAllUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if !pcIsUpper(s[i]) {
			return false
		}
	}
	return s != ""
}

// capString cuts s to at most n bytes on a rune boundary.
func pcCap(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !pcRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func pcRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// postcodeLoose reports whether a compact string has the rough shape of country's
// postcodes (length and letter/digit pattern) even though it fails the rules: such a
// string in an address is an invalid postcode, not a street word.
func postcodeLoose(country, c string) bool {
	n := len(c)
	switch country {
	case "GB":
		return n >= 5 && n <= 7 && pcIsUpper(c[0]) && pcIsDigit(c[n-3]) && pcIsUpper(c[n-2]) &&
			pcIsUpper(c[n-1]) && strings.ContainsAny(c[1:n-3], "0123456789")
	case "CA":
		return n == 6 && pcIsUpper(c[0]) && pcIsDigit(c[1]) && pcIsUpper(c[2]) && pcIsDigit(c[3]) &&
			pcIsUpper(c[4]) && pcIsDigit(c[5])
	case "IE":
		return n == 7 && pcIsUpper(c[0]) && pcIsDigit(c[1]) && !pcAllDigits(c)
	case "NL":
		return n == 6 && pcAllDigits(c[:4]) && pcAllUpper(c[4:])
	case "US":
		return (n == 5 || n == 9) && pcAllDigits(c)
	case "PT":
		return n == 7 && pcAllDigits(c)
	case "RO":
		return n == 6 && pcAllDigits(c)
	case "BE", "AT", "CH", "HU", "LU", "SI", "BG", "LV", "DK", "AU", "NO":
		return n == 4 && pcAllDigits(c)
	}
	return n == 5 && pcAllDigits(c)
}
