package ingest

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// samePhoneNumber reports how a and b differ in the fields Parse sets ("" when equal).
func samePhoneNumber(a, b *phonenumbers.PhoneNumber) string {
	switch {
	case a.GetCountryCode() != b.GetCountryCode():
		return "country code"
	case a.GetNationalNumber() != b.GetNationalNumber():
		return "national number"
	case a.GetItalianLeadingZero() != b.GetItalianLeadingZero():
		return "italian leading zero"
	case a.GetNumberOfLeadingZeros() != b.GetNumberOfLeadingZeros():
		return "number of leading zeros"
	case a.GetExtension() != b.GetExtension():
		return "extension"
	case a.GetPreferredDomesticCarrierCode() != b.GetPreferredDomesticCarrierCode():
		return "carrier code"
	case a.GetCountryCodeSource() != b.GetCountryCodeSource():
		return "country code source"
	case a.GetRawInput() != b.GetRawInput():
		return "raw input"
	}
	return ""
}

// checkE164Shortcut fails t if ParseE164 accepts s but gives another number than
// phonenumbers.Parse in region. It reports whether the shortcut accepted s.
func checkE164Shortcut(t *testing.T, s, region string) bool {
	t.Helper()
	fast, ok := ParseE164(s)
	if !ok {
		return false
	}
	slow, err := phonenumbers.Parse(s, region)
	if err != nil {
		t.Errorf("ParseE164(%q) accepted what Parse(%q) rejects: %v", s, region, err)
		return true
	}
	if d := samePhoneNumber(fast, slow); d != "" {
		t.Errorf("ParseE164(%q) differs from Parse in region %q: %s (%v vs %v)", s, region, d, fast, slow)
	}
	return true
}

// The shortcut must give exactly Parse's number for every calling code, for national
// numbers of every length and with the leading digits that trigger national-prefix
// stripping, Italian leading zeros and short or overlong numbers.
func TestParseE164DigitsMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 13))
	accepted, tried := 0, 0
	regions := []string{"", "GB", "US", "DE", "IT", "ZZ"}
	// Sorted, so that the same numbers are drawn for the same code on every run.
	for _, cc := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedCallingCodes())) {
		for range 60 {
			n := 2 + rng.IntN(16)
			var b strings.Builder
			b.WriteString("+" + strconv.Itoa(cc))
			for i := range n {
				d := rng.IntN(10)
				if i < 3 && rng.IntN(3) == 0 {
					d = rng.IntN(2) * 8 // 0 and 8: the common national prefixes
				}
				b.WriteByte(byte('0' + d))
			}
			tried++
			if checkE164Shortcut(t, b.String(), regions[rng.IntN(len(regions))]) {
				accepted++
			}
		}
	}
	// Valid numbers of the main regions must take the shortcut, or it buys nothing.
	for _, s := range []string{"+447911123456", "+16023943919", "+4915123456789", "+390612345678", "+61412345678", "+33612345678"} {
		if !checkE164Shortcut(t, s, "") {
			t.Errorf("ParseE164(%q) declined a plain international number", s)
		}
	}
	t.Logf("shortcut taken for %d of %d random numbers", accepted, tried)
	if accepted < tried/4 {
		t.Errorf("shortcut taken for %d of %d random numbers: too few to be worth having", accepted, tried)
	}
}

// Inputs the shortcut must decline: not "+" and digits, or a code Parse would not read.
func TestParseE164DigitsDeclines(t *testing.T) {
	for _, s := range []string{
		"", "+", "+4", "+44", "447911123456", "+44 7911 123456", "+44-7911123456",
		"+０４４7911123456", "+\u200b447911123456", "+0447911123456", "+9991234567",
		"+44" + strings.Repeat("1", 18),
	} {
		if num, ok := ParseE164(s); ok {
			t.Errorf("ParseE164(%q) = %v, want declined", s, num)
		}
	}
}

// FuzzParseE164Digits compares the shortcut with phonenumbers.Parse on arbitrary digits.
func FuzzParseE164Digits(f *testing.F) {
	for _, s := range []string{"+447911123456", "+16023943919", "+390612345678", "+78001234567", "+5491112345678", "+80012345678", "+8823456789"} {
		f.Add(s, "GB")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		if len(region) > 3 {
			region = region[:3]
		}
		checkE164Shortcut(t, s, region)
	})
}
