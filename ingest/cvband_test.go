package ingest

import (
	"strings"
	"testing"
)

// FuzzParseCVSketch: a sketch that parses prints back to itself (lower-case), and its
// bands are well-formed; anything else is refused without panicking.
func FuzzParseCVSketch(f *testing.F) {
	f.Add(cvSketch((*[MinHashSize]uint64)(MinHash(cvSample))))
	f.Add(strings.Repeat("0", 4*MinHashSize))
	f.Add(strings.Repeat("F", 4*MinHashSize))
	f.Add(strings.Repeat("+1", 2*MinHashSize))
	f.Add("00ff")
	f.Fuzz(func(t *testing.T, v string) {
		sk, ok := ParseCVSketch(v)
		bands := CVBandValues(v)
		if !ok {
			if bands != nil {
				t.Fatalf("CVBandValues(%q) = %q for a sketch that does not parse", v, bands)
			}
			return
		}
		var sig [MinHashSize]uint64
		for i, x := range sk {
			sig[i] = uint64(x)
		}
		if got := cvSketch(&sig); got != strings.ToLower(v) {
			t.Fatalf("ParseCVSketch(%q) prints back as %q", v, got)
		}
		h := CVBands(&sk)
		for b, s := range bands {
			if s != CVBandValue(b, h[b]) || len(s) != 20 {
				t.Fatalf("band %d = %q", b, s)
			}
		}
	})
}
