package ingest

import (
	"slices"
	"testing"
)

func TestPostcode(t *testing.T) {
	tests := []struct {
		name, raw, country string
		want               string // "" = no identifier
		valid              bool
		flags              []string
	}{
		{"gb spaced", "LS1 4AB", "GB", "GB:LS1 4AB", true, nil},
		{"gb compact lower", "ls14ab", "gb", "GB:LS1 4AB", true, nil},
		{"gb inferred", "sw1a1aa", "", "GB:SW1A 1AA", true, nil},
		{"gb girobank", "GIR 0AA", "", "GB:GIR 0AA", true, nil},
		{"gb A9 outward", "M1 1AE", "UK", "GB:M1 1AE", true, nil},
		{"gb bad inward letter", "LS1 4CI", "GB", "GB:LS14CI", false, []string{FlagInvalid}},
		{"gb bad first letter", "QS1 4AB", "GB", "GB:QS14AB", false, []string{FlagInvalid}},
		{"gb full-width", "ＬＳ１ ４ＡＢ", "GB", "GB:LS1 4AB", true, nil},
		{"gb zero-width", "LS1\u200b 4AB\u200d", "GB", "GB:LS1 4AB", true, nil},
		{"gb cyrillic homoglyph is not a postcode letter", "L\u04051 4AB", "GB", "GB:LЅ14AB", false, []string{FlagInvalid}},
		{"us zip", "12345", "US", "US:12345", true, nil},
		{"us zip+4 to 5", "12345-6789", "US", "US:12345", true, nil},
		{"us zip+4 inferred", "12345-6789", "", "US:12345", true, nil},
		{"us too short", "1234", "US", "US:1234", false, []string{FlagInvalid}},
		{"de", "10115", "DE", "DE:10115", true, nil},
		{"de legacy prefix", "D-10115", "DE", "DE:10115", true, nil},
		{"de leading 00", "00123", "DE", "DE:00123", false, []string{FlagInvalid}},
		{"fr", "75002", "FR", "FR:75002", true, nil},
		{"nl", "1012lg", "NL", "NL:1012 LG", true, nil},
		{"nl inferred", "1012 LG", "", "NL:1012 LG", true, nil},
		{"nl forbidden SS", "1012 SS", "NL", "NL:1012SS", false, []string{FlagInvalid}},
		{"be", "1000", "BE", "BE:1000", true, nil},
		{"es", "28013", "ES", "ES:28013", true, nil},
		{"es bad province", "60000", "ES", "ES:60000", false, []string{FlagInvalid}},
		{"it", "00184", "IT", "IT:00184", true, nil},
		{"pl dashed", "00-950", "PL", "PL:00-950", true, nil},
		{"pl inferred", "00-950", "", "PL:00-950", true, nil},
		{"ie eircode", "d02x285", "IE", "IE:D02 X285", true, nil},
		{"ie D6W", "D6W 1234", "", "IE:D6W 1234", true, nil},
		{"ie bad alphabet", "D02 B285", "IE", "IE:D02B285", false, []string{FlagInvalid}},
		{"pt", "1000-001", "PT", "PT:1000-001", true, nil},
		{"se", "11455", "SE", "SE:114 55", true, nil},
		{"at", "1010", "AT", "AT:1010", true, nil},
		{"dk", "2100", "DK", "DK:2100", true, nil},
		{"au", "2000", "AU", "AU:2000", true, nil},
		{"au too low", "0100", "AU", "AU:0100", false, []string{FlagInvalid}},
		{"ca", "k1a 0b1", "", "CA:K1A 0B1", true, nil},
		{"lv prefixed", "LV-1050", "LV", "LV:LV-1050", true, nil},
		{"unknown country", "10115", "", "ZZ:10115", true, []string{FlagPostcodeUnchecked}},
		{"country without rule", "125009", "RU", "RU:125009", true, []string{FlagPostcodeUnchecked}},
		{"identifier form again", "GB:LS1 4AB", "", "GB:LS1 4AB", true, nil},
		{"long input capped", "LS1 4AB" + string(make([]byte, 100000)), "GB", "GB:LS1 4AB", true, nil},
		{"empty", " - ", "GB", "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := Postcode(tc.raw, tc.country)
			if tc.want == "" {
				if ok {
					t.Fatalf("got %q, want none", id.Value)
				}
				return
			}
			if !ok {
				t.Fatalf("no identifier, want %q", tc.want)
			}
			if id.Kind != KindPostcode || id.Value != tc.want || id.Valid != tc.valid || !slices.Equal(id.Flags, tc.flags) {
				t.Errorf("got %s %q valid=%v flags=%v, want %q valid=%v flags=%v",
					id.Kind, id.Value, id.Valid, id.Flags, tc.want, tc.valid, tc.flags)
			}
		})
	}
}

// FuzzPostcode checks that no input panics and that a postcode value normalises to
// itself, both whole ("GB:LS1 4AB") and as code plus country.
func FuzzPostcode(f *testing.F) {
	for _, s := range []string{"LS1 4AB", "GIR0AA", "12345-6789", "D-10115", "1012 LG", "00-950",
		"D6W 1234", "LV-1050", "ＬＳ１ ４ＡＢ", "GB:ZZ", "ZZ:12345", "L\u04051 4AB", "ß"} {
		f.Add(s, "")
		f.Add(s, "GB")
		f.Add(s, "DE")
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		id, ok := Postcode(raw, country)
		if !ok {
			return
		}
		again, ok := Postcode(id.Value, "")
		if !ok || again.Value != id.Value {
			t.Fatalf("Postcode(%q, %q) = %q; again %q (%v)", raw, country, id.Value, again.Value, ok)
		}
		cc, code := id.Value[:2], id.Value[3:]
		if cc != postcodeUnknownCountry {
			if split, ok := Postcode(code, cc); !ok || split.Value != id.Value {
				t.Fatalf("Postcode(%q, %q) = %q; from parts %q (%v)", raw, country, id.Value, split.Value, ok)
			}
		}
	})
}
