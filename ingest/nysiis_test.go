package ingest

import (
	"strings"
	"testing"
)

// Each expected value was derived by hand from the published steps (see NYSIIS); the
// comment names the rules that matter.
func TestNYSIIS(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Macintosh", "MCANT"}, // MAC to MCC; SH: H repeats S; final S and A removed
		{"Knight", "NAGT"},     // KN to NN; GH: H repeats G
		{"John", "JAN"},        // O to A; H after a vowel and before N repeats A
		{"Jon", "JAN"},         //
		{"Smith", "SNAT"},      // M to N; final H repeats T
		{"Smyth", "SNYT"},      // Y is not a vowel in NYSIIS
		{"Schmidt", "SNAD"},    // SCH to SSS; DT to D
		{"Bishop", "BASAP"},    // SH: H repeats S
		{"Watkins", "WATCAN"},  // K to C; final S removed
		{"Mitchell", "MATCAL"}, // CH: H repeats C; LL once
		{"Richard", "RACAD"},   // RD to D
		{"Phillips", "FALAP"},  // PH to FF; final S removed
		{"Kelly", "CALY"},      // K to C
		{"Lee", "LY"},          // EE to Y
		{"Brian", "BRAN"},      // final A removed (BRAAN collapses)
		{"Evans", "EVAN"},      // first letter kept; final S removed
		{"Levy", "LAFY"},       // EV to AF
		{"Thompson", "TANPSA"}, // cut to six after the final rules
		{"Zhao", "Z"},          // H repeats Z; AO collapses to A, removed
		{"", ""},
		{"123", ""},
		{"mac", "MC"}, // MAC to MCC, CC once
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NYSIIS(tt.in); got != tt.want {
				t.Errorf("NYSIIS(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzNYSIIS(f *testing.F) {
	for _, s := range []string{"Macintosh", "Knight", "SCH", "PF", "K", "EV", "ev", "H", "W", "AY", "S", "A", "MAC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NYSIIS(s)
		if len(got) > nysiisMaxLen || strings.Trim(got, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Fatalf("NYSIIS(%q) = %q: bad code", s, got)
		}
		if (got == "") != (len(nysiisPrepare(s)) == 0) {
			t.Fatalf("NYSIIS(%q) = %q: empty exactly when there are no letters", s, got)
		}
	})
}
