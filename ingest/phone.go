package ingest

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Phone flags: the line type the numbering plan gives the number's range. The plan knows
// nothing of porting or of VoIP apps holding ordinary-looking numbers (US Google Voice
// numbers read as fixed_line and mobile both), so these are hints, not facts.
const (
	FlagMobile    = "mobile"
	FlagFixedLine = "fixed_line"
	FlagVoIP      = "voip"
	FlagTollFree  = "toll_free"
	FlagPremium   = "premium"
	// FlagPersonalNumber marks a "follow-me" personal number (UK 070): a redirect that
	// hides the real line, cheap to buy in blocks.
	FlagPersonalNumber = "personal_number"
	FlagSharedCost     = "shared_cost"
	FlagPager          = "pager"
	FlagUAN            = "uan"
)

// maxInvalidPhoneDigits bounds the value of an invalid phone number. No valid number has
// more than 17 digits; the bound only stops a pasted essay from becoming a store key.
const maxInvalidPhoneDigits = 64

// PhoneDetails is what the numbering plan says about a valid number beyond its canonical
// form.
type PhoneDetails struct {
	// Region is the ISO 3166 alpha-2 region the number belongs to, which may differ from
	// the default region it was read in: 07911 123456 read in GB is Guernsey (GG), and
	// +1 numbers belong to any of the NANP countries. "001" for non-geographic numbers;
	// "" for invalid ones.
	Region string
	// CountryCode is the calling code, 44 for +44; 0 for invalid numbers.
	CountryCode int
}

// Phone normalises a phone number to E.164 (see PhoneInfo).
func Phone(raw, region string) (Identifier, bool) {
	id, _, ok := phoneInfo(raw, region, false)
	return id, ok
}

// PhoneInfo normalises a phone number to E.164, reading national formats in region (an
// ISO 3166 alpha-2 code, "UK" taken as GB; may be empty, in which case only numbers with a
// "+" parse). Full-width and other-script digits count as digits, and invisible format
// characters are dropped. Valid numbers are flagged with their line type.
//
// The value is "+" and digits only, so it doubles as the numeric form that sequential-
// number detection needs (facilitators buy numbers in consecutive blocks): see
// PhoneNumeric.
//
// A number that is not valid keeps its digits, with a leading "+" if it had one, and is
// flagged invalid: a malformed number reused by ten personas is still evidence.
func PhoneInfo(raw, region string) (Identifier, PhoneDetails, bool) {
	return phoneInfo(raw, region, true)
}

// phoneInfo is PhoneInfo; the region lookup costs as much as validation again, so it is
// done only when details are wanted.
func phoneInfo(raw, region string, details bool) (Identifier, PhoneDetails, bool) {
	s := foldDigits(contactClean(raw))
	if s == "" {
		return Identifier{}, PhoneDetails{}, false
	}
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "UK" {
		region = "GB"
	}
	id := Identifier{Kind: KindPhone, Raw: raw}
	digits := phoneDigits(s)
	if strings.Trim(digits, "+") == "" {
		return Identifier{}, PhoneDetails{}, false
	}
	// Text beyond digits and separators (an extension, letters, a second number) goes to
	// the parser as written. Plain digits and separators go as digits only: the parser
	// reads them the same, and its extension pattern costs a fifth of the parse on the
	// longer text.
	if !plainPhone(s) {
		if num, typ, ok := parseValidPhone(s, region); ok {
			return validPhone(id, num, typ, details)
		}
	}
	// Separators or stray text the parser refused may hide a valid number: try the digits
	// alone. This also makes an invalid value (the digits) normalise to itself.
	if num, typ, ok := parseValidPhone(digits, region); ok {
		return validPhone(id, num, typ, details)
	}
	id.Value = digits
	id.Flags = []string{FlagInvalid}
	return id, PhoneDetails{}, true
}

// parseValidPhone parses s in region and reports whether it is a valid number, and its
// type. A number is valid exactly when its type is known (IsValidNumber and GetNumberType
// run the same region lookup and pattern match), so one GetNumberType call does both: the
// pattern matching is most of the cost of normalising a phone. International numbers
// written as "+" and digits skip phonenumbers.Parse (see ParseE164), and the type
// comes from precompiled patterns (see phoneNumberType).
func parseValidPhone(s, region string) (*phonenumbers.PhoneNumber, phonenumbers.PhoneNumberType, bool) {
	num, ok := ParseE164(s)
	if !ok {
		num, ok = parseNationalDigits(s, region)
	}
	if !ok {
		var err error
		if num, err = phonenumbers.Parse(s, region); err != nil {
			return nil, phonenumbers.UNKNOWN, false
		}
	}
	typ := phoneNumberType(num)
	return num, typ, typ != phonenumbers.UNKNOWN
}

func validPhone(id Identifier, num *phonenumbers.PhoneNumber, typ phonenumbers.PhoneNumberType, details bool) (Identifier, PhoneDetails, bool) {
	id.Value = phoneE164(num)
	id.Valid = true
	switch typ {
	case phonenumbers.MOBILE:
		id.Flags = []string{FlagMobile}
	case phonenumbers.FIXED_LINE:
		id.Flags = []string{FlagFixedLine}
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		id.Flags = []string{FlagFixedLine, FlagMobile}
	case phonenumbers.VOIP:
		id.Flags = []string{FlagVoIP}
	case phonenumbers.TOLL_FREE:
		id.Flags = []string{FlagTollFree}
	case phonenumbers.PREMIUM_RATE:
		id.Flags = []string{FlagPremium}
	case phonenumbers.PERSONAL_NUMBER:
		id.Flags = []string{FlagPersonalNumber}
	case phonenumbers.SHARED_COST:
		id.Flags = []string{FlagSharedCost}
	case phonenumbers.PAGER:
		id.Flags = []string{FlagPager}
	case phonenumbers.UAN:
		id.Flags = []string{FlagUAN}
	}
	if !details {
		return id, PhoneDetails{}, true
	}
	return id, PhoneDetails{
		Region:      phonenumbers.GetRegionCodeForNumber(num),
		CountryCode: int(num.GetCountryCode()),
	}, true
}

// plainPhone reports whether s holds only digits and the separators people write numbers
// with, and a "+" only at the start.
func plainPhone(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', c == ' ', c == '-', c == '(', c == ')', c == '.', c == '/':
		case c == '+' && i == 0:
		default:
			return false
		}
	}
	return true
}

// phoneDigits is the ASCII digits of s, after a "+" if s starts with one, at most
// maxInvalidPhoneDigits of them.
func phoneDigits(s string) string {
	var b strings.Builder
	if strings.HasPrefix(s, "+") {
		b.WriteByte('+')
	}
	n := 0
	for i := 0; i < len(s) && n < maxInvalidPhoneDigits; i++ {
		if '0' <= s[i] && s[i] <= '9' {
			b.WriteByte(s[i])
			n++
		}
	}
	return b.String()
}

// PhoneNumeric is the numeric form of a phone value: the E.164 digits as an integer, so
// that +447911123456 and +447911123457 are one apart. ok is false for a value that is not
// "+" and 1 to 15 digits.
func PhoneNumeric(value string) (n uint64, ok bool) {
	digits, found := strings.CutPrefix(value, "+")
	if !found || digits == "" || len(digits) > 15 || !contactAllDigits(digits) {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// foldDigits replaces every Unicode decimal digit (Arabic-Indic, Devanagari, full-width,
// mathematical, ...) with its ASCII digit; other text is unchanged.
func foldDigits(s string) string {
	if contactASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= utf8.RuneSelf && unicode.IsDigit(r) {
			return '0' + digitValue(r)
		}
		return r
	}, s)
}

// digitValue is the numeric value of a Unicode decimal digit (category Nd), 0 for any
// other rune. Unicode guarantees that Nd digits come in contiguous runs of ten from 0 to 9,
// and adjacent runs (the five mathematical digit sets at U+1D7CE) are whole runs too, so a
// digit's value is its distance from the start of its Nd stretch, modulo 10.
func digitValue(r rune) rune {
	if r >= '0' && r <= '9' {
		return r - '0'
	}
	if !unicode.IsDigit(r) {
		return 0
	}
	z := r
	// The longest Nd stretch is the 50 mathematical digits; the bound is only a guard.
	for n := 0; n < 100 && unicode.IsDigit(z-1); n++ {
		z--
	}
	return (r - z) % 10
}

func (x *extraction) phones() {
	for _, p := range x.rec.Phones {
		x.add(Phone(p, x.region))
	}
}

// phoneE164 is phonenumbers.Format(num, phonenumbers.E164) built in one allocation
// (Format takes five): "+", the calling code, the leading zeros a uint64 cannot hold,
// then the national number.
func phoneE164(num *phonenumbers.PhoneNumber) string {
	if num.GetNationalNumber() == 0 && num.GetRawInput() != "" {
		return num.GetRawInput()
	}
	var buf [32]byte
	b := append(buf[:0], '+')
	b = strconv.AppendInt(b, int64(num.GetCountryCode()), 10)
	if num.GetItalianLeadingZero() {
		for range min(num.GetNumberOfLeadingZeros(), phonenumbers.MAX_LENGTH_FOR_NSN) {
			b = append(b, '0')
		}
	}
	b = strconv.AppendUint(b, num.GetNationalNumber(), 10)
	return string(b)
}
