package ingest

import (
	"strings"
	"testing"
)

func TestDocumentNumber(t *testing.T) {
	tests := []struct {
		name        string
		doc         Document
		nationality string
		want        string
		wantValid   bool
		wantFlags   []string
	}{
		{"passport", Document{Kind: "passport", Number: "123 456 789", Country: "gb"}, "", "passport:GB:123456789", true, nil},
		{"country from nationality", Document{Kind: "passport", Number: "X1234567"}, "pl", "passport:PL:X1234567", true, nil},
		{"no country at all", Document{Kind: "passport", Number: "X1234567"}, "", "passport::X1234567", true, nil},
		{"UK means GB", Document{Kind: "passport", Number: "123456789", Country: "UK"}, "", "passport:GB:123456789", true, nil},
		{"alpha-3 country", Document{Kind: "Passport", Number: "123456789", Country: "USA"}, "", "passport:US:123456789", true, nil},
		{"kind missing", Document{Number: "abc-123"}, "GB", "other:GB:ABC123", true, nil},
		{"driving license spelling", Document{Kind: "Driving License", Number: "SMYTH906154J99AB", Country: "GB"}, "", "driving_licence:GB:SMYTH906154J99AB", true, nil},
		{"driver's license spelling", Document{Kind: "Driver's License", Number: "D1234567", Country: "US"}, "", "driving_licence:US:D1234567", true, nil},
		{"unknown kind folded", Document{Kind: "Residence Permit", Number: "RP123"}, "GB", "residence_permit:GB:RP123", true, nil},
		{"tax id synonym", Document{Kind: "TIN", Number: "12-3456789", Country: "DE"}, "", "tax_id:DE:123456789", true, nil},
		{"SSN with hyphens, country implied", Document{Kind: "SSN", Number: "219-09-9998"}, "IN", "ssn:US:219099998", true, nil},
		{"SSN spelled out", Document{Kind: "social security number", Number: "536 22 8726"}, "", "ssn:US:536228726", true, nil},
		{"SSN area 000", Document{Kind: "ssn", Number: "000-12-3456"}, "", "ssn:US:000123456", false, []string{FlagInvalid}},
		{"SSN area 666", Document{Kind: "ssn", Number: "666-12-3456"}, "", "ssn:US:666123456", false, []string{FlagInvalid}},
		{"SSN area 9xx", Document{Kind: "ssn", Number: "912-12-3456"}, "", "ssn:US:912123456", false, []string{FlagInvalid}},
		{"SSN group 00", Document{Kind: "ssn", Number: "536-00-3456"}, "", "ssn:US:536003456", false, []string{FlagInvalid}},
		{"SSN serial 0000", Document{Kind: "ssn", Number: "536-22-0000"}, "", "ssn:US:536220000", false, []string{FlagInvalid}},
		{"SSN Woolworth card", Document{Kind: "ssn", Number: "078-05-1120"}, "", "ssn:US:078051120", false, []string{FlagInvalid}},
		{"SSN too short", Document{Kind: "ssn", Number: "536-22-872"}, "", "ssn:US:53622872", false, []string{FlagInvalid}},
		{"NI number, suffix dropped", Document{Kind: "NINO", Number: "ab 12 34 56 c"}, "", "ni_number:GB:AB123456", true, nil},
		{"NI number without suffix", Document{Kind: "national insurance number", Number: "AB123456"}, "", "ni_number:GB:AB123456", true, nil},
		{"NI number, bad first letter", Document{Kind: "ni_number", Number: "QQ123456C"}, "", "ni_number:GB:QQ123456C", false, []string{FlagInvalid}},
		{"NI number, bad second letter", Document{Kind: "ni_number", Number: "AO123456C"}, "", "ni_number:GB:AO123456C", false, []string{FlagInvalid}},
		{"NI number, unallocated prefix", Document{Kind: "ni_number", Number: "GB123456A"}, "", "ni_number:GB:GB123456A", false, []string{FlagInvalid}},
		{"NI number, bad suffix", Document{Kind: "ni_number", Number: "AB123456E"}, "", "ni_number:GB:AB123456E", false, []string{FlagInvalid}},
		{"NI number, letters in the digits", Document{Kind: "ni_number", Number: "AB12345XC"}, "", "ni_number:GB:AB12345XC", false, []string{FlagInvalid}},
		{"full-width number", Document{Kind: "passport", Number: "１２３４５６７８９", Country: "GB"}, "", "passport:GB:123456789", true, nil},
		{"Arabic-Indic digits", Document{Kind: "passport", Number: "\u0661\u0662\u0663", Country: "EG"}, "", "passport:EG:123", true, nil},
		{"zero-width", Document{Kind: "passport", Number: "12\u200b34", Country: "GB"}, "", "passport:GB:1234", true, nil},
		{"Cyrillic look-alike capital", Document{Kind: "passport", Number: "\u04101234567", Country: "GB"}, "", "passport:GB:A1234567", true, []string{FlagMixedScript}},
		{"Greek look-alike, lower case", Document{Kind: "passport", Number: "\u03bf1234567", Country: "GB"}, "", "passport:GB:O1234567", true, []string{FlagMixedScript}},
		{"very long", Document{Kind: "passport", Number: strings.Repeat("9", 5000), Country: "GB"}, "", "passport:GB:" + strings.Repeat("9", 5000), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DocumentNumber(tt.doc, tt.nationality)
			if !ok {
				t.Fatalf("DocumentNumber(%+v) yielded nothing", tt.doc)
			}
			if got.Kind != KindDocument || got.Value != tt.want || got.Valid != tt.wantValid || got.Raw != tt.doc.Number {
				t.Errorf("DocumentNumber(%+v) = %+v, want %q valid %v", tt.doc, got, tt.want, tt.wantValid)
			}
			if !sameFlags(got.Flags, tt.wantFlags) {
				t.Errorf("DocumentNumber(%+v) flags = %v, want %v", tt.doc, got.Flags, tt.wantFlags)
			}
		})
	}
	for _, d := range []Document{{}, {Kind: "passport"}, {Kind: "passport", Number: " - / "}} {
		if id, ok := DocumentNumber(d, "GB"); ok {
			t.Errorf("DocumentNumber(%+v) = %+v, want nothing", d, id)
		}
	}
}

// TestDocumentSameAcrossSpellings checks that one document written two ways is one value.
func TestDocumentSameAcrossSpellings(t *testing.T) {
	a, _ := DocumentNumber(Document{Kind: "Driving Licence", Number: "SMYTH 906154 J99AB", Country: "UK"}, "")
	b, _ := DocumentNumber(Document{Kind: "drivers_license", Number: "smyth906154j99ab"}, "GB")
	if a.Value != b.Value {
		t.Errorf("%q != %q", a.Value, b.Value)
	}
}

func FuzzDocumentNumber(f *testing.F) {
	for _, d := range []Document{
		{Kind: "ssn", Number: "219-09-9998"}, {Kind: "NINO", Number: "AB123456C", Country: "gb"},
		{Kind: "Driver's License", Number: "\u0410123"}, {Kind: "a:b", Number: "1", Country: "x:y"},
		{Kind: "İD", Number: "ß", Country: "ÜK"}, {Kind: "", Number: "\u0661"},
	} {
		f.Add(d.Kind, d.Number, d.Country, "GB")
	}
	f.Fuzz(func(t *testing.T, kind, number, country, nationality string) {
		id, ok := DocumentNumber(Document{Kind: kind, Number: number, Country: country}, nationality)
		if !ok {
			return
		}
		k, rest, ok1 := strings.Cut(id.Value, ":")
		c, n, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || strings.Contains(n, ":") {
			t.Fatalf("value %q is not kind:COUNTRY:NUMBER", id.Value)
		}
		again, ok := DocumentNumber(Document{Kind: k, Number: n, Country: c}, "")
		if !ok || again.Value != id.Value || again.Valid != id.Valid {
			t.Fatalf("not idempotent: %+v -> %+v", id, again)
		}
	})
}
