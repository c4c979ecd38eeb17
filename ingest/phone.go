package ingest

import (
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Phone flags.
const (
	FlagMobile    = "mobile"
	FlagFixedLine = "fixed_line"
	FlagVoIP      = "voip"
	FlagTollFree  = "toll_free"
	FlagPremium   = "premium"
)

// Phone normalises a phone number to E.164, reading national formats in region (an ISO
// 3166 alpha-2 code; may be empty). A number that does not parse or is not valid for its
// region keeps its digits (with a leading "+" if it had one) and is flagged invalid.
func Phone(raw, region string) (Identifier, bool) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindPhone, Raw: raw}
	num, err := phonenumbers.Parse(s, region)
	if err == nil && phonenumbers.IsValidNumber(num) {
		id.Value = phonenumbers.Format(num, phonenumbers.E164)
		id.Valid = true
		switch phonenumbers.GetNumberType(num) {
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
		}
		return id, true
	}
	var b strings.Builder
	if strings.HasPrefix(s, "+") {
		b.WriteByte('+')
	}
	for _, r := range s {
		if unicode.IsDigit(r) {
			// Full-width and other script digits fold to ASCII.
			b.WriteRune('0' + digitValue(r))
		}
	}
	id.Value = b.String()
	if strings.Trim(id.Value, "+") == "" {
		return Identifier{}, false
	}
	id.Flags = []string{FlagInvalid}
	return id, true
}

// digitValue is the numeric value of a Unicode decimal digit.
func digitValue(r rune) rune {
	if r >= '0' && r <= '9' {
		return r - '0'
	}
	// Unicode decimal digits come in contiguous runs of ten starting at a zero.
	for z := r; z > r-10; z-- {
		if !unicode.IsDigit(z - 1) {
			return r - z
		}
	}
	return 0
}

func (x *extraction) phones() {
	for _, p := range x.rec.Phones {
		x.add(Phone(p, x.region))
	}
}
