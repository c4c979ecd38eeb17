package ingest

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// A national-format number ("07911 123456" read in GB) misses ParseE164 and cost
// phonenumbers.Parse about 10 µs, five times an international one: Parse runs a dozen
// regular expressions (extension, viability, IDD, the region's own calling code, national
// prefix, general pattern) over it. parseNationalDigits takes the steps Parse takes for a
// string of digits read in a region, running only the region's regular expressions that
// can decide anything (national prefix, general pattern), and declines whenever Parse
// would take a branch it does not reproduce: the digits start with the region's
// international prefix or its calling code (Parse may read a country code from them),
// or the region rewrites its national prefix (a transform rule, as in Argentina or
// Mexico). TestParseNationalDigitsMatchesLibrary and FuzzParseNationalDigits compare it
// with Parse.

// phoneNationalRule is what Parse reads from one region's metadata for a national
// number.
type phoneNationalRule struct {
	countryCode int32
	callingCode string         // countryCode in decimal
	idd         *regexp.Regexp // ^(?:international prefix)
	// prefix is ^(?:national prefix for parsing), nil when the region has none.
	prefix  *regexp.Regexp
	general *regexp.Regexp // ^(?:general national number pattern)$
	// lengths and localLengths are the general description's possible lengths.
	lengths, localLengths []int32
}

// phoneNationalRules maps each supported region to its rule; regions Parse would treat
// in a way parseNationalDigits does not reproduce are absent.
var phoneNationalRules = sync.OnceValue(func() map[string]*phoneNationalRule {
	rules := map[string]*phoneNationalRule{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return rules // every region absent: parseNationalDigits always declines
	}
	supported := phonenumbers.GetSupportedRegions()
	for _, m := range coll.GetMetadata() {
		region := m.GetId()
		if region == "001" || !supported[region] || m.GetNationalPrefixTransformRule() != "" {
			continue
		}
		g := m.GetGeneralDesc()
		if len(g.GetPossibleLength()) == 0 {
			continue
		}
		r := &phoneNationalRule{
			countryCode:  m.GetCountryCode(),
			callingCode:  strconv.Itoa(int(m.GetCountryCode())),
			lengths:      g.GetPossibleLength(),
			localLengths: g.GetPossibleLengthLocalOnly(),
		}
		// The same pattern strings Parse builds, so the same matches.
		var errs [3]error
		r.idd, errs[0] = regexp.Compile("^(?:" + m.GetInternationalPrefix() + ")")
		r.general, errs[1] = regexp.Compile("^(?:" + g.GetNationalNumberPattern() + ")$")
		if p := m.GetNationalPrefixForParsing(); p != "" {
			r.prefix, errs[2] = regexp.Compile("^(?:" + p + ")")
		}
		if errs[0] != nil || errs[1] != nil || errs[2] != nil {
			continue
		}
		rules[region] = r
	}
	return rules
})

// parseNationalDigits parses s, two or more ASCII digits, as a national number of
// region, as phonenumbers.Parse(s, region) would; ok is false when it cannot tell (Parse
// then decides, and may well fail).
func parseNationalDigits(s, region string) (num *phonenumbers.PhoneNumber, ok bool) {
	if len(s) < 2 || len(s) > 250 || !contactAllDigits(s) {
		return nil, false
	}
	r := phoneNationalRules()[region]
	if r == nil || r.idd.MatchString(s) || strings.HasPrefix(s, r.callingCode) {
		return nil, false
	}
	// As maybeStripNationalPrefixAndCarrierCode: strip the national prefix unless that
	// turns a number the general pattern accepts into one it does not.
	nsn := s
	if r.prefix != nil {
		if loc := r.prefix.FindStringIndex(s); loc != nil {
			if !r.general.MatchString(s) || r.general.MatchString(s[loc[1]:]) {
				nsn = s[loc[1]:]
			}
		}
	}
	// Parse keeps the stripped number only if its length is possible for the region.
	if nsn != s {
		switch r.testLength(len(nsn)) {
		case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
			nsn = s
		}
	}
	if len(nsn) < 2 || len(nsn) > 17 {
		return nil, false // Parse's too-short and too-long errors
	}
	return phoneNumberFromNSN(r.countryCode, nsn)
}

// testLength is phonenumbers' testNumberLength for the general description.
func (r *phoneNationalRule) testLength(n int) phonenumbers.ValidationResult {
	if r.lengths[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	l := int32(n)
	for _, x := range r.localLengths {
		if x == l {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch {
	case r.lengths[0] == l:
		return phonenumbers.IS_POSSIBLE
	case r.lengths[0] > l:
		return phonenumbers.TOO_SHORT
	case r.lengths[len(r.lengths)-1] < l:
		return phonenumbers.TOO_LONG
	}
	for _, x := range r.lengths[1:] {
		if x == l {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// phoneNumberFromNSN is the number Parse builds from a calling code and a national
// significant number of 2 to 17 digits.
func phoneNumberFromNSN(cc int32, nsn string) (*phonenumbers.PhoneNumber, bool) {
	n, err := strconv.ParseUint(nsn, 10, 64)
	if err != nil {
		return nil, false
	}
	num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n}
	// As setItalianLeadingZerosForPhoneNumber: the zeros a uint64 loses.
	if nsn[0] == '0' {
		italian := true
		num.ItalianLeadingZero = &italian
		zeros := 1
		for zeros < len(nsn)-1 && nsn[zeros] == '0' {
			zeros++
		}
		if zeros != 1 {
			z := int32(zeros)
			num.NumberOfLeadingZeros = &z
		}
	}
	return num, true
}
