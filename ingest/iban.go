package ingest

// ibanLengths is the IBAN length of each country in the SWIFT IBAN registry (ISO 13616),
// including the French overseas territories and the other countries that use IBANs
// outside Europe. Read-only.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
	// French territories with French IBANs.
	"GF": 27, "GP": 27, "MQ": 27, "RE": 27, "PF": 27, "TF": 27, "YT": 27, "NC": 27, "BL": 27,
	"MF": 27, "PM": 27, "WF": 27,
}

// ibanCheck validates a compact upper-case IBAN: a known country, its registered length,
// check digits, alphanumeric BBAN, and the ISO 7064 mod-97-10 remainder 1.
func ibanCheck(s string) bool {
	if len(s) < 5 || len(s) > 34 {
		return false
	}
	if n, ok := ibanLengths[s[:2]]; !ok || n != len(s) {
		return false
	}
	if !pcIsDigit(s[2]) || !pcIsDigit(s[3]) {
		return false
	}
	// Move the first four characters to the end and read letters as 10..35, reducing
	// mod 97 as we go so that no big integer is needed.
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[(i+4)%len(s)]
		switch {
		case pcIsDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case pcIsUpper(c):
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// ibanShape reports whether a compact upper-case string looks like an IBAN (two letters,
// two digits, then 11 to 30 letters or digits), valid or not.
func ibanShape(s string) bool {
	if len(s) < 15 || len(s) > 34 || !pcIsUpper(s[0]) || !pcIsUpper(s[1]) || !pcIsDigit(s[2]) || !pcIsDigit(s[3]) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if !pcIsDigit(s[i]) && !pcIsUpper(s[i]) {
			return false
		}
	}
	return true
}

// ukAccountFromIBAN returns the sort code and account number inside a valid GB IBAN
// (GBkk BBBB SSSSSS AAAAAAAA), so that the IBAN and the domestic form of one account
// meet in the graph.
func ukAccountFromIBAN(iban string) (sortCode, account string, ok bool) {
	if len(iban) != 22 || iban[:2] != "GB" || !pcAllDigits(iban[8:]) {
		return "", "", false
	}
	return iban[8:14], iban[14:], true
}

// bicCheck validates a compact upper-case BIC (ISO 9362): four letters of institution,
// a two-letter country, two letters or digits of location, and an optional three-character
// branch. It returns the canonical form, where the primary-office branch "XXX" is dropped
// because "DEUTDEFFXXX" and "DEUTDEFF" name the same office.
func bicCheck(s string) (string, bool) {
	if len(s) != 8 && len(s) != 11 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < 6:
			if !pcIsUpper(c) {
				return "", false
			}
		default:
			if !pcIsUpper(c) && !pcIsDigit(c) {
				return "", false
			}
		}
	}
	if len(s) == 11 && s[8:] == "XXX" {
		s = s[:8]
	}
	return s, true
}
