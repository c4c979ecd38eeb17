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

// checkNationalShortcut fails t if parseNationalDigits accepts s but gives another number
// than phonenumbers.Parse in region. It reports whether the shortcut accepted s.
func checkNationalShortcut(t *testing.T, s, region string) bool {
	t.Helper()
	fast, ok := parseNationalDigits(s, region)
	if !ok {
		return false
	}
	slow, err := phonenumbers.Parse(s, region)
	if err != nil {
		t.Errorf("parseNationalDigits(%q, %q) accepted what Parse rejects: %v", s, region, err)
		return true
	}
	if d := samePhoneNumber(fast, slow); d != "" {
		t.Errorf("parseNationalDigits(%q, %q) differs from Parse: %s (%v vs %v)", s, region, d, fast, slow)
	}
	return true
}

// The shortcut must give exactly Parse's number in every region, for numbers of every
// length, with and without the national prefix, with leading zeros, and starting with
// digits of the region's international prefix or calling code.
func TestParseNationalDigitsMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 17))
	accepted, tried := 0, 0
	// Sorted, so that the same numbers are drawn for the same region on every run.
	for _, region := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions())) {
		cc := phonenumbers.GetCountryCodeForRegion(region)
		prefix := phonenumbers.GetNddPrefixForRegion(region, true)
		for k := range 80 {
			var b strings.Builder
			switch k % 4 {
			case 0:
				b.WriteString(prefix)
			case 1:
				b.WriteString(strings.Repeat("0", rng.IntN(3)))
			case 2:
				b.WriteString(strconv.Itoa(cc))
			case 3:
				b.WriteString([]string{"00", "011", "8", ""}[rng.IntN(4)])
			}
			for range 1 + rng.IntN(16) {
				d := rng.IntN(10)
				if rng.IntN(4) == 0 {
					d = rng.IntN(2) * 8 // 0 and 8: the common national and trunk prefixes
				}
				b.WriteByte(byte('0' + d))
			}
			tried++
			if checkNationalShortcut(t, b.String(), region) {
				accepted++
			}
		}
	}
	// National numbers of the main regions must take the shortcut, or it buys nothing.
	for _, c := range []struct{ s, region string }{
		{"07911123456", "GB"}, {"02079460018", "GB"}, {"4155550142", "US"}, {"015123456789", "DE"},
		{"0612345678", "IT"}, {"0412345678", "AU"}, {"0612345678", "FR"}, {"512345678", "PL"},
	} {
		if !checkNationalShortcut(t, c.s, c.region) {
			t.Errorf("parseNationalDigits(%q, %q) declined a plain national number", c.s, c.region)
		}
	}
	t.Logf("shortcut taken for %d of %d random numbers", accepted, tried)
	if accepted < tried/4 {
		t.Errorf("shortcut taken for %d of %d random numbers: too few to be worth having", accepted, tried)
	}
}

// Inputs the shortcut must decline: not digits, an unknown region, or a start Parse may
// read as an international prefix or the region's calling code.
func TestParseNationalDigitsDeclines(t *testing.T) {
	for _, c := range []struct{ s, region string }{
		{"", "GB"}, {"1", "GB"}, {"+447911123456", "GB"}, {"07911 123456", "GB"},
		{"07911123456", ""}, {"07911123456", "gb"}, {"07911123456", "ZZ"},
		{"00447911123456", "GB"}, {"447911123456", "GB"}, {"0114412345678", "US"},
		{"0111234567", "AR"}, // Argentina rewrites its national prefix
	} {
		if num, ok := parseNationalDigits(c.s, c.region); ok {
			t.Errorf("parseNationalDigits(%q, %q) = %v, want declined", c.s, c.region, num)
		}
	}
}

// FuzzParseNationalDigits compares the shortcut with phonenumbers.Parse on arbitrary
// digits and regions.
func FuzzParseNationalDigits(f *testing.F) {
	for _, s := range []string{"07911123456", "4155550142", "0612345678", "00447911123456", "447911123456", "0", "000000000000000001"} {
		for _, r := range []string{"GB", "US", "IT", "DE", "AR", "MX", "BR", "RU", "JP", "IN", "ZZ", ""} {
			f.Add(s, r)
		}
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		if len(region) > 3 {
			region = region[:3]
		}
		checkNationalShortcut(t, s, region)
	})
}

// FuzzPhoneE164MatchesFormat checks phoneE164 against phonenumbers.Format.
func FuzzPhoneE164MatchesFormat(f *testing.F) {
	f.Add(int32(44), uint64(7911123456), false, int32(0), false, "")
	f.Add(int32(39), uint64(612345678), true, int32(1), true, "")
	f.Add(int32(39), uint64(0), true, int32(3), true, "")
	f.Add(int32(0), uint64(0), false, int32(0), false, "+1 x")
	f.Add(int32(-7), uint64(1), true, int32(-2), true, "")
	f.Fuzz(func(t *testing.T, cc int32, nn uint64, italian bool, zeros int32, setZeros bool, raw string) {
		num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn, ItalianLeadingZero: &italian}
		if setZeros {
			num.NumberOfLeadingZeros = &zeros
		}
		if raw != "" {
			num.RawInput = &raw
		}
		if got, want := phoneE164(num), phonenumbers.Format(num, phonenumbers.E164); got != want {
			t.Fatalf("phoneE164(%v) = %q, Format %q", num, got, want)
		}
	})
}
