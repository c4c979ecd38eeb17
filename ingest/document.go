package ingest

import (
	"strings"
	"unicode"
)

// Document kinds (record schema v1).
const (
	DocPassport       = "passport"
	DocNationalID     = "national_id"
	DocSSN            = "ssn"
	DocNINumber       = "ni_number"
	DocDrivingLicence = "driving_licence"
	DocTaxID          = "tax_id"
	DocOther          = "other"
)

// documentKinds maps spellings of document kinds (folded by documentKindKey) to the
// schema's kinds. An immutable table.
var documentKinds = map[string]string{
	"passport":                  DocPassport,
	"passport_number":           DocPassport,
	"pp":                        DocPassport,
	"national_id":               DocNationalID,
	"national_id_card":          DocNationalID,
	"id_card":                   DocNationalID,
	"identity_card":             DocNationalID,
	"nid":                       DocNationalID,
	"id":                        DocNationalID,
	"national_identity_card":    DocNationalID,
	"ssn":                       DocSSN,
	"social_security_number":    DocSSN,
	"social_security":           DocSSN,
	"social_security_no":        DocSSN,
	"ss_number":                 DocSSN,
	"ss_no":                     DocSSN,
	"ni_number":                 DocNINumber,
	"nino":                      DocNINumber,
	"ni":                        DocNINumber,
	"ni_no":                     DocNINumber,
	"national_insurance":        DocNINumber,
	"national_insurance_number": DocNINumber,
	"national_insurance_no":     DocNINumber,
	"driving_licence":           DocDrivingLicence,
	"driving_license":           DocDrivingLicence,
	"drivers_license":           DocDrivingLicence,
	"drivers_licence":           DocDrivingLicence,
	"driver_license":            DocDrivingLicence,
	"driver_licence":            DocDrivingLicence,
	"dl":                        DocDrivingLicence,
	"driving_permit":            DocDrivingLicence,
	"tax_id":                    DocTaxID,
	"tin":                       DocTaxID,
	"tax_number":                DocTaxID,
	"tax_identification_number": DocTaxID,
	"itin":                      DocTaxID,
}

// documentCountries maps country spellings other than ISO alpha-2 that records use for
// the countries that matter most here. An immutable table.
var documentCountries = map[string]string{
	"UK": "GB", "GBR": "GB", "USA": "US", "KOR": "KR", "PRK": "KP", "CHN": "CN",
	"CAN": "CA", "AUS": "AU", "DEU": "DE", "FRA": "FR", "NLD": "NL", "POL": "PL", "UKR": "UA",
	"IND": "IN", "JPN": "JP", "RUS": "RU",
}

// documentLatin folds the Cyrillic and Greek capitals that look like Latin ones to those
// Latin letters. Document numbers are Latin by definition (ICAO 9303 and every national
// scheme here), so a Cyrillic "А" in one is either a keyboard-layout slip or a dodge of
// exact matching, and both should match the Latin number. An immutable table.
var documentLatin = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C',
	'Т': 'T', 'У': 'Y', 'Х': 'X', 'І': 'I', 'Ј': 'J', 'Ѕ': 'S', 'Ү': 'Y',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N',
	'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
}

// DocumentNumber normalises an identity document to "kind:COUNTRY:NUMBER":
//   - kind: the schema's kind for common spellings ("Driving License", "NINO",
//     "social security number"), else the kind folded to lower-case words joined by "_",
//     "other" when absent;
//   - COUNTRY: ISO alpha-2, "UK" and some alpha-3 codes mapped; ssn is always US and
//     ni_number always GB; else the record's nationality when the document names none;
//   - NUMBER: upper case, letters and digits only (other-script digits folded, Cyrillic and
//     Greek look-alikes of Latin capitals folded and flagged mixed_script).
//
// Kind and country are part of the value because two countries' passports may share a
// number. US SSNs (area not 000, 666 or 9xx, group not 00, serial not 0000, not a known
// void number) and UK NI numbers (HMRC prefix rules, suffix A to D) are checked; a number
// that fails is kept and flagged invalid. An NI number's suffix letter is dropped from the
// value (HMRC does not treat it as part of the identity, and it is often left out).
func DocumentNumber(d Document, nationality string) (Identifier, bool) {
	num, folded := documentNumber(d.Number)
	if num == "" {
		return Identifier{}, false
	}
	kind := documentKind(d.Kind)
	country := documentCountry(d.Country)
	switch kind {
	case DocSSN:
		country = "US"
	case DocNINumber:
		country = "GB"
	}
	if country == "" {
		country = documentCountry(nationality)
	}
	id := Identifier{Kind: KindDocument, Raw: d.Number, Valid: true}
	switch kind {
	case DocSSN:
		id.Valid = validSSN(num)
	case DocNINumber:
		id.Valid = validNINumber(num)
		if id.Valid && len(num) == 9 {
			num = num[:8]
		}
	}
	if folded {
		id.Flags = append(id.Flags, FlagMixedScript)
	}
	if !id.Valid {
		id.Flags = append(id.Flags, FlagInvalid)
	}
	id.Value = kind + ":" + country + ":" + num
	return id, true
}

// documentNumber keeps the letters and digits of a number, upper-cased, with other-script
// digits and Latin look-alikes folded; folded reports a look-alike.
func documentNumber(s string) (num string, folded bool) {
	s = foldDigits(contactClean(s))
	num = strings.Map(func(r rune) rune {
		if l, ok := documentLatin[unicode.ToUpper(r)]; ok {
			folded = true
			return l
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
	return num, folded
}

// documentKind maps a kind to the schema's kinds; see documentKinds.
func documentKind(s string) string {
	k := documentKindKey(s)
	if k == "" {
		return DocOther
	}
	if std, ok := documentKinds[k]; ok {
		return std
	}
	return k
}

// documentKindKey folds a kind to lower-case ASCII words joined by "_": "Driver's
// License" is "drivers_license". Idempotent, and never holds ":" (the value's separator).
func documentKindKey(s string) string {
	s = contactFold(s)
	var b strings.Builder
	pending := false
	for _, r := range s {
		switch {
		case r == '\'' || r == '\u2019':
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			b.WriteRune(unicode.ToLower(r))
		default:
			pending = true
		}
	}
	return b.String()
}

// documentCountry is a country as ISO alpha-2 where it can tell, else its letters
// upper-cased.
func documentCountry(s string) string {
	c := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		if 'A' <= r && r <= 'Z' {
			return r
		}
		return -1
	}, contactClean(s))
	if iso, ok := documentCountries[c]; ok {
		return iso
	}
	return c
}

// voidSSNs are SSNs the Social Security Administration voided after they were printed in
// advertising or sample cards. An immutable set.
var voidSSNs = map[string]struct{}{
	"078051120": {}, // the Woolworth wallet card
	"219099999": {}, // a 1940 SSA pamphlet
	"123456789": {},
}

// validSSN reports whether num is a US SSN the SSA could have issued.
func validSSN(num string) bool {
	if len(num) != 9 || !contactAllDigits(num) {
		return false
	}
	area, group, serial := num[:3], num[3:5], num[5:]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	_, void := voidSSNs[num]
	return !void
}

// validNINumber reports whether num is a UK National Insurance number: two prefix letters
// (first not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V; not BG, GB, KN, NK, NT, TN,
// ZZ), six digits and an optional suffix A to D.
func validNINumber(num string) bool {
	if len(num) == 9 {
		if s := num[8]; s < 'A' || s > 'D' {
			return false
		}
		num = num[:8]
	}
	if len(num) != 8 || !contactAllDigits(num[2:]) {
		return false
	}
	a, b := num[0], num[1]
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' ||
		strings.IndexByte("DFIQUV", a) >= 0 || strings.IndexByte("DFIOQUV", b) >= 0 {
		return false
	}
	switch num[:2] {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
}

func (x *extraction) documents() {
	for _, d := range x.rec.Documents {
		x.add(DocumentNumber(d, x.rec.Nationality))
	}
}
