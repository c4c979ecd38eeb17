package ingest

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestPhone(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		region     string
		want       string
		wantValid  bool
		wantFlags  []string
		wantRegion string
	}{
		{"UK mobile, national format", "07911 123456", "GB", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"UK fixed line, international", "+44 20 7946 0018", "", "+442079460018", true, []string{FlagFixedLine}, "GB"},
		{"UK VoIP 056", "05601 234567", "GB", "+445601234567", true, []string{FlagVoIP}, "GB"},
		{"UK toll free", "0800 123 4567", "GB", "+448001234567", true, []string{FlagTollFree}, "GB"},
		{"UK premium", "09098 790000", "GB", "+449098790000", true, []string{FlagPremium}, "GB"},
		{"UK personal number 070", "070 1234 5678", "GB", "+447012345678", true, []string{FlagPersonalNumber}, "GB"},
		{"French VoIP 09", "09 12 34 56 78", "FR", "+33912345678", true, []string{FlagVoIP}, "FR"},
		{"US cannot split fixed and mobile", "(650) 253-0000", "US", "+16502530000", true, []string{FlagFixedLine, FlagMobile}, "US"},
		{"region UK means GB", "020 7946 0018", "uk", "+442079460018", true, []string{FlagFixedLine}, "GB"},
		{"international prefix 00", "0033 1 42 68 53 00", "GB", "+33142685300", true, []string{FlagFixedLine}, "FR"},
		{"North Korea", "+850 2 381 4410", "", "+85023814410", true, []string{FlagFixedLine}, "KP"},
		{"trunk zero in brackets", "+44 (0) 7911 123456", "", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"tel URI", "tel:+447911123456", "", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"vanity letters", "1-800-FLOWERS", "US", "+18003569377", true, []string{FlagTollFree}, "US"},
		{"full-width digits", "＋４４ ７９１１ １２３４５６", "", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"Arabic-Indic digits", "\u0660\u0667\u0669\u0661\u0661 \u0661\u0662\u0663\u0664\u0665\u0666", "GB", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"Devanagari digits", "\u0966\u096d\u096f\u0967\u0967\u0967\u0968\u0969\u096a\u096b\u096c", "GB", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"mathematical digits", "𝟎𝟕𝟗𝟏𝟏𝟏𝟐𝟑𝟒𝟓𝟔", "GB", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"zero-width characters", "07911\u200b123\u200d456\ufeff", "GB", "+447911123456", true, []string{FlagMobile}, "GG"},
		{"Ofcom drama range is invalid", "07700 900123", "GB", "07700900123", false, []string{FlagInvalid}, ""},
		{"national format without region", "07911 123456", "", "07911123456", false, []string{FlagInvalid}, ""},
		{"two numbers run together", "+447911123456 / +447911123457", "", "+447911123456447911123457", false, []string{FlagInvalid}, ""},
		{"too short", "+44 12", "", "+4412", false, []string{FlagInvalid}, ""},
		{"very long digits capped", strings.Repeat("9", 5000), "GB", strings.Repeat("9", maxInvalidPhoneDigits), false, []string{FlagInvalid}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, det, ok := PhoneInfo(tt.raw, tt.region)
			if !ok {
				t.Fatalf("PhoneInfo(%q, %q) yielded nothing", tt.raw, tt.region)
			}
			if got.Kind != KindPhone || got.Value != tt.want || got.Valid != tt.wantValid || got.Raw != tt.raw {
				t.Errorf("PhoneInfo(%q, %q) = %+v, want value %q valid %v", tt.raw, tt.region, got, tt.want, tt.wantValid)
			}
			if !sameFlags(got.Flags, tt.wantFlags) {
				t.Errorf("PhoneInfo(%q, %q) flags = %v, want %v", tt.raw, tt.region, got.Flags, tt.wantFlags)
			}
			if det.Region != tt.wantRegion {
				t.Errorf("PhoneInfo(%q, %q) region = %q, want %q", tt.raw, tt.region, det.Region, tt.wantRegion)
			}
			if p, _ := Phone(tt.raw, tt.region); p.Value != got.Value {
				t.Errorf("Phone(%q) = %q, PhoneInfo gave %q", tt.raw, p.Value, got.Value)
			}
		})
	}
}

func TestPhoneEmpty(t *testing.T) {
	for _, raw := range []string{"", "  ", "n/a", "+", "\u200b", "none given"} {
		if id, ok := Phone(raw, "GB"); ok {
			t.Errorf("Phone(%q) = %+v, want nothing", raw, id)
		}
	}
}

func TestPhoneNumeric(t *testing.T) {
	tests := []struct {
		value  string
		want   uint64
		wantOK bool
	}{
		{"+447911123456", 447911123456, true},
		{"+447911123457", 447911123457, true},
		{"+999999999999999", 999999999999999, true},
		{"+1234567890123456", 0, false}, // 16 digits: longer than E.164 allows
		{"447911123456", 0, false},
		{"+", 0, false},
		{"+44 7911", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := PhoneNumeric(tt.value)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("PhoneNumeric(%q) = %d, %v; want %d, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
	// Consecutive numbers of a purchased block are one apart.
	a, _ := Phone("07911 123456", "GB")
	b, _ := Phone("+44 7911 123457", "")
	na, _ := PhoneNumeric(a.Value)
	nb, _ := PhoneNumeric(b.Value)
	if nb-na != 1 {
		t.Errorf("PhoneNumeric of consecutive numbers %q, %q differ by %d, want 1", a.Value, b.Value, nb-na)
	}
}

// TestDigitValue checks digitValue against two independent sources: known digits of
// several scripts, and NFKC, which maps the full-width and mathematical digits (runs that
// sit next to each other, the hard case) to ASCII.
func TestDigitValue(t *testing.T) {
	known := map[rune]rune{
		'7': 7, '\u0663': 3, '\u06f8': 8, '\u096f': 9, '\u0e50': 0, '\u1049': 9, '\uff15': 5,
		0x1d7ce: 0, 0x1d7d9: 1, 0x1d7e5: 3, 0x1d7f6: 0, 0x1d7ff: 9, 0x1fbf7: 7,
	}
	for r, want := range known {
		if got := digitValue(r); got != want {
			t.Errorf("digitValue(%U) = %d, want %d", r, got, want)
		}
	}
	checked := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.IsDigit(r) {
			continue
		}
		n := norm.NFKC.String(string(r))
		if len(n) != 1 || n[0] < '0' || n[0] > '9' {
			continue
		}
		checked++
		if got, want := digitValue(r), rune(n[0]-'0'); got != want {
			t.Errorf("digitValue(%U) = %d, NFKC says %d", r, got, want)
		}
	}
	if checked < 70 {
		t.Errorf("checked %d digits against NFKC, want the full-width and mathematical ones", checked)
	}
	for _, r := range []rune{'a', '٫', 'Ⅳ', '²', '①'} {
		if v := digitValue(r); v != 0 {
			t.Errorf("digitValue(%q) = %d, want 0 for a non-decimal digit", r, v)
		}
	}
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{
		"07911 123456", "+44 20 7946 0018", "１２３", "\u0660\u0667", "1-800-FLOWERS", "+", "++44",
		"07700 900123", "+447911123456 / +447911123457", "tel:+1-650-253-0000;ext=1", "0033 1 42 68 53 00",
		"+44 (0) 7911 123456", "ext 12", "+8️⃣", "(0)", "+1 (800) ABC-DEFG",
	} {
		f.Add(s, "GB")
		f.Add(s, "")
	}
	f.Add("9123456", "US")
	f.Add("0912345678", "FR")
	f.Fuzz(func(t *testing.T, raw, region string) {
		id, ok := Phone(raw, region)
		if !ok {
			return
		}
		again, ok := Phone(id.Value, region)
		if !ok || again.Value != id.Value || again.Valid != id.Valid {
			t.Fatalf("not idempotent: %q -> %+v -> %+v (ok %v)", raw, id, again, ok)
		}
		if id.Valid {
			if _, ok := PhoneNumeric(id.Value); !ok {
				t.Fatalf("valid value %q has no numeric form", id.Value)
			}
		}
	})
}
