package ingest

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// checkPhoneNumberType fails t when the compiled type test disagrees with the library's.
func checkPhoneNumberType(t *testing.T, num *phonenumbers.PhoneNumber) {
	t.Helper()
	if got, want := phoneNumberType(num), phonenumbers.GetNumberType(num); got != want {
		t.Errorf("phoneNumberType(+%d %s) = %v, library says %v", num.GetCountryCode(), phonenumbers.GetNationalSignificantNumber(num), got, want)
	}
}

// Every region's example number of every type, and neighbours of it that change its
// last digits, its length and its leading digits, must get the library's type: this
// walks every pattern of every region, and the region choice of +1, +7 and +44.
func TestPhoneNumberTypeMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 17))
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	var examples []*phonenumbers.PhoneNumber
	for _, region := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedRegions())) {
		for _, typ := range types {
			if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
				examples = append(examples, ex)
			}
		}
	}
	for _, cc := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedGlobalNetworkCallingCodes())) {
		if ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc); ex != nil {
			examples = append(examples, ex)
		}
	}
	if len(examples) < 1000 {
		t.Fatalf("only %d example numbers: the metadata did not load", len(examples))
	}
	known := 0
	for _, ex := range examples {
		checkPhoneNumberType(t, ex)
		if phonenumbers.GetNumberType(ex) != phonenumbers.UNKNOWN {
			known++
		}
		nsn := phonenumbers.GetNationalSignificantNumber(ex)
		for range 8 {
			b := []byte(nsn)
			switch rng.IntN(4) {
			case 0: // other last digits
				for i := max(0, len(b)-3); i < len(b); i++ {
					b[i] = byte('0' + rng.IntN(10))
				}
			case 1: // one digit longer or shorter
				if rng.IntN(2) == 0 && len(b) > 2 {
					b = b[:len(b)-1]
				} else {
					b = append(b, byte('0'+rng.IntN(10)))
				}
			case 2: // other leading digit
				b[0] = byte('0' + rng.IntN(10))
			case 3: // a leading zero (Italian style)
				b = append([]byte{'0'}, b...)
			}
			num, err := phonenumbers.Parse("+"+strconv.Itoa(int(ex.GetCountryCode()))+string(b), "")
			if err == nil {
				checkPhoneNumberType(t, num)
			}
		}
	}
	if known < len(examples)*9/10 {
		t.Errorf("the library types only %d of %d example numbers", known, len(examples))
	}
}

// FuzzPhoneNumberType compares the compiled type test with the library's on whatever
// Parse makes of arbitrary text.
func FuzzPhoneNumberType(f *testing.F) {
	for _, s := range []string{"+447911123456", "+16023943919", "+14165550123", "+77012345678", "+390612345678", "+80012345678", "+979123456789", "01481 256789"} {
		f.Add(s, "GB")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		if num, err := phonenumbers.Parse(s, region); err == nil {
			checkPhoneNumberType(t, num)
		}
	})
}
