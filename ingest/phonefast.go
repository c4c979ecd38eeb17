package ingest

import (
	"regexp"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Most phone numbers arrive in international form ("+44 7911 123456", "+16023943919"),
// and phonenumbers.Parse spends most of its time on them running regular expressions
// that cannot match a string of digits (the extension pattern alone is a third of a
// phone's cost). ParseE164 parses "+" and digits directly, following the steps
// phonenumbers.Parse takes for such input, and declines (ok false) whenever Parse could
// do anything this shortcut does not reproduce: an unknown country calling code (Parse
// then retries the digits as a national number) or a national number that starts with
// something the region's national-prefix rule matches (Parse may then strip or rewrite
// it). TestParseE164DigitsMatchesLibrary and FuzzParseE164Digits compare the two.

// phoneCallingCode is what ParseE164 needs to know about one calling code.
type phoneCallingCode struct {
	known bool
	// nationalPrefix matches the start of a national number that Parse would try to strip
	// (the metadata's national_prefix_for_parsing); nil when the region has none.
	nationalPrefix *regexp.Regexp
}

// phoneCallingCodes is a read-only table indexed by calling code (1 to 999), built on
// first use from the metadata phonenumbers itself loaded at init.
var phoneCallingCodes = sync.OnceValue(func() *[1000]phoneCallingCode {
	var t [1000]phoneCallingCode
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return &t // every code unknown: ParseE164 always declines
	}
	geo := map[string]*phonenumbers.PhoneMetadata{}
	nonGeo := map[int]*phonenumbers.PhoneMetadata{}
	for _, m := range coll.GetMetadata() {
		if m.GetId() == "001" {
			nonGeo[int(m.GetCountryCode())] = m
		} else {
			geo[m.GetId()] = m
		}
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if cc <= 0 || cc >= len(t) {
			continue
		}
		// Parse reads a number with this code with the metadata of the code's main
		// region (or of the non-geographic entity), whatever the default region.
		region := phonenumbers.GetRegionCodeForCountryCode(cc)
		m := geo[region]
		if region == "001" {
			m = nonGeo[cc]
		}
		if m == nil {
			continue // Parse would fail differently: leave it to Parse
		}
		e := phoneCallingCode{known: true}
		if p := m.GetNationalPrefixForParsing(); p != "" {
			re, err := regexp.Compile("^(?:" + p + ")")
			if err != nil {
				continue
			}
			e.nationalPrefix = re
		}
		t[cc] = e
	}
	return &t
})

// ParseE164 parses s, "+" followed by ASCII digits only, as phonenumbers.Parse
// would (in any default region: a "+" number does not depend on it). ok is false when
// s is not of that form or when the shortcut cannot vouch for giving Parse's answer;
// the caller then asks Parse. The search index uses it too, for a phone's national form.
func ParseE164(s string) (*phonenumbers.PhoneNumber, bool) {
	if len(s) < 4 || s[0] != '+' || s[1] == '0' {
		return nil, false
	}
	digits := s[1:]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, false
		}
	}
	table := phoneCallingCodes()
	// Calling codes are prefix-free, so the first known prefix is the only one (Parse
	// tries the same lengths in the same order).
	cc := 0
	for i := 1; i <= 3 && i < len(digits); i++ {
		cc = cc*10 + int(digits[i-1]-'0')
		if !table[cc].known {
			continue
		}
		nsn := digits[i:]
		if len(nsn) < 2 || len(nsn) > 17 {
			return nil, false
		}
		if re := table[cc].nationalPrefix; re != nil && re.MatchString(nsn) {
			return nil, false
		}
		return phoneNumberFromNSN(int32(cc), nsn)
	}
	return nil, false
}
