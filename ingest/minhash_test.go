package ingest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// minHashText returns n pseudo-random words from a vocabulary of vocab words.
func minHashText(rng *rand.Rand, n, vocab int) []string {
	words := make([]string, n)
	for i := range words {
		words[i] = fmt.Sprintf("w%d", rng.IntN(vocab))
	}
	return words
}

// minHashTrueJaccard is the exact Jaccard similarity of the ShingleSize-word shingle sets
// of two word lists.
func minHashTrueJaccard(a, b []string) float64 {
	set := func(w []string) map[string]bool {
		m := map[string]bool{}
		for i := 0; i+ShingleSize <= len(w); i++ {
			m[strings.Join(w[i:i+ShingleSize], " ")] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	inter := 0
	for s := range sa {
		if sb[s] {
			inter++
		}
	}
	union := len(sa) + len(sb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// TestMinHashEstimate checks the estimate against the exact Jaccard similarity over many
// pairs of texts with 0% to 30% of their words changed.
func TestMinHashEstimate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var sumErr float64
	pairs := 0
	for _, n := range []int{30, 200, 800} {
		for _, rate := range []float64{0, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3} {
			for range 5 {
				a := minHashText(rng, n, 5000)
				b := slices.Clone(a)
				for i := range b {
					if rng.Float64() < rate {
						b[i] = fmt.Sprintf("x%d", rng.IntN(5000))
					}
				}
				want := minHashTrueJaccard(a, b)
				got := JaccardEstimate(MinHash(strings.Join(a, " ")), MinHash(strings.Join(b, " ")))
				if math.Abs(got-want) > 0.25 {
					t.Errorf("n=%d rate=%.2f: estimate %.3f, exact %.3f", n, rate, got, want)
				}
				sumErr += math.Abs(got - want)
				pairs++
			}
		}
	}
	if mean := sumErr / float64(pairs); mean > 0.06 {
		t.Errorf("mean absolute error %.3f over %d pairs, want at most 0.06", mean, pairs)
	}
}

func TestMinHash(t *testing.T) {
	base := "I am a senior Go engineer with eight years of experience building distributed payment " +
		"systems, event sourcing pipelines and Kubernetes operators for fintech companies in London."
	unrelated := "Experienced nurse practitioner skilled in paediatric care, triage, patient education " +
		"and community outreach programmes across rural clinics in the north of Scotland."
	tests := []struct {
		name    string
		a, b    string
		min     float64 // lowest acceptable estimate
		max     float64 // highest acceptable estimate
		sameSig bool
	}{
		{"identical", base, base, 1, 1, true},
		{"case and punctuation", base, strings.ToUpper(strings.ReplaceAll(base, ",", " ;")), 1, 1, true},
		{"zero-width characters", base, strings.ReplaceAll(base, "engineer", "eng\u200bineer"), 1, 1, true},
		{"homoglyphs", base, strings.ReplaceAll(base, "experience", "ехperiеnce"), 1, 1, true},
		{"full-width", base, strings.ReplaceAll(base, "Kubernetes", "Ｋｕｂｅｒｎｅｔｅｓ"), 1, 1, true},
		{"diacritics", base, strings.ReplaceAll(base, "operators", "opérators"), 1, 1, true},
		{"one word changed", base, strings.ReplaceAll(base, "eight", "nine"), 0.45, 0.95, false},
		{"unrelated", base, unrelated, 0, 0.15, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := MinHash(tt.a), MinHash(tt.b)
			if len(a) != MinHashSize || len(b) != MinHashSize {
				t.Fatalf("signature lengths %d, %d, want %d", len(a), len(b), MinHashSize)
			}
			if got := JaccardEstimate(a, b); got < tt.min || got > tt.max {
				t.Errorf("JaccardEstimate = %.3f, want in [%.2f, %.2f]", got, tt.min, tt.max)
			}
			if slices.Equal(a, b) != tt.sameSig {
				t.Errorf("signatures equal: %v, want %v", !tt.sameSig, tt.sameSig)
			}
			shared := 0
			ba, bb := sigBands(a), sigBands(b)
			for i := range ba {
				if ba[i] == bb[i] {
					shared++
				}
			}
			if tt.sameSig && shared != LSHBands || tt.max < 0.2 && shared > 1 {
				t.Errorf("%d of %d bands shared", shared, LSHBands)
			}
		})
	}
}

func TestMinHashShortAndEmpty(t *testing.T) {
	for _, s := range []string{"", "   ", "one two three four", "!!! ??? ...", "\u200b\u200b"} {
		if sig := MinHash(s); sig != nil {
			t.Errorf("MinHash(%q) = %d values, want nil (no full shingle)", s, len(sig))
		}
	}
	if sig := MinHash("one two three four five"); len(sig) != MinHashSize {
		t.Errorf("MinHash of one shingle has %d values, want %d", len(sig), MinHashSize)
	}
}

// TestMinHashDeterministic pins one signature: its minima are stored in sketches, so a
// change to the hashing must show up here (and force a re-ingest), not pass silently.
func TestMinHashDeterministic(t *testing.T) {
	sig := MinHash("the quick brown fox jumps over the lazy dog")
	if again := MinHash("the quick brown fox jumps over the lazy dog"); !slices.Equal(sig, again) {
		t.Fatal("MinHash differs between two calls")
	}
	bands := sigBands(sig)
	const want = "b00:"
	if len(bands) != LSHBands || !strings.HasPrefix(bands[0], want) || len(bands[0]) != 4+16 {
		t.Fatalf("bands = %q", bands)
	}
	for i, b := range bands {
		if b[:4] != fmt.Sprintf("b%02d:", i) || strings.Trim(b[4:], "0123456789abcdef") != "" {
			t.Errorf("band %d = %q: want b%02d: and 16 hex digits", i, b, i)
		}
	}
	if got, wantFirst := bands[0], minHashPinnedBand0; got != wantFirst {
		t.Errorf("band 0 = %q, want %q: the hashing changed", got, wantFirst)
	}
}

// sigBands returns the band values of a full signature, through its sketch as stored
// (cvSketch, then CVBandValues).
func sigBands(sig []uint64) []string {
	return CVBandValues(cvSketch((*[MinHashSize]uint64)(sig)))
}

// minHashPinnedBand0 is band 0 of MinHash("the quick brown fox jumps over the lazy dog").
const minHashPinnedBand0 = "b00:d01f8fa6d8098fe7"

func TestMinHashTokenCap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := minHashText(rng, minHashMaxTokens+5000, 100000)
	capped := MinHash(strings.Join(words[:minHashMaxTokens], " "))
	full := MinHash(strings.Join(words, " "))
	if !slices.Equal(capped, full) {
		t.Error("words past the cap changed the signature")
	}
}

func TestJaccardEstimate(t *testing.T) {
	tests := []struct {
		name string
		a, b []uint64
		want float64
	}{
		{"both empty", nil, nil, 0},
		{"length mismatch", []uint64{1, 2}, []uint64{1}, 0},
		{"half", []uint64{1, 2, 3, 4}, []uint64{1, 2, 0, 0}, 0.5},
		{"all", []uint64{7, 8}, []uint64{7, 8}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JaccardEstimate(tt.a, tt.b); got != tt.want {
				t.Errorf("JaccardEstimate = %v, want %v", got, tt.want)
			}
		})
	}
	if CVBandValues("00ff") != nil || CVBandValues(strings.Repeat("zz", 2*MinHashSize)) != nil {
		t.Error("CVBandValues of a malformed sketch: want nil")
	}
}

func FuzzMinHash(f *testing.F) {
	for _, s := range []string{"", "a b c d e", "the quick brown fox jumps over the lazy dog", "Jо\u200bhn's CV — ５ years",
		"王小明 王小明 王小明 王小明 王小明", "'''' '' ' a b c d e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<14 {
			return
		}
		sig := MinHash(s)
		if sig != nil && len(sig) != MinHashSize {
			t.Fatalf("MinHash(%q) has %d values", s, len(sig))
		}
		if !slices.Equal(sig, MinHash(s)) {
			t.Fatalf("MinHash(%q) not deterministic", s)
		}
		if sig != nil {
			if JaccardEstimate(sig, sig) != 1 {
				t.Fatal("a signature does not match itself")
			}
			if n := len(sigBands(sig)); n != LSHBands {
				t.Fatalf("%d bands", n)
			}
		}
		// Folding ASCII words first must not change the signature.
		if folded := MinHash(FoldName(s)); nameASCII(s) && !slices.Equal(sig, folded) {
			t.Fatalf("MinHash(%q) differs from MinHash of its folded form %q", s, FoldName(s))
		}
	})
}

// minHashReference and minHashWordsReference are the first, allocating form of minHash
// (every word hash collected before shingling, a callback per word): the reference the
// ring-buffer form must agree with bit for bit, since stored band keys depend on it.
func minHashReference(text string) ([]uint64, int) {
	if len(text) > cvMaxBytes {
		text = text[:cvMaxBytes]
	}
	words := make([]uint64, 0, min(len(text)/5+1, minHashMaxTokens))
	minHashWordsReference(text, func(h uint64) bool {
		words = append(words, h)
		return len(words) < minHashMaxTokens
	})
	if len(words) < ShingleSize {
		return nil, 0
	}
	sig := make([]uint64, MinHashSize)
	filled := make([]bool, MinHashSize)
	for i := 0; i+ShingleSize <= len(words); i++ {
		// Multiply-xor chaining keeps word order; one full mix at the end spreads it.
		h := uint64(minHashSeed)
		for _, w := range words[i : i+ShingleSize] {
			h = (h^w)*0x100000001b3 + 0x9e3779b97f4a7c15
		}
		h = minHashMix(h)
		bin := h >> (64 - 6) // top six bits: 64 bins
		if v := h << 6; !filled[bin] || v < sig[bin] {
			sig[bin], filled[bin] = v, true
		}
	}
	// Rotation densification: an empty bin borrows from the next non-empty one to its
	// right (wrapping), offset by the number of steps so borrowed values stay distinct.
	for i := range sig {
		if filled[i] {
			continue
		}
		for step := 1; step < MinHashSize; step++ {
			j := (i + step) % MinHashSize
			if filled[j] {
				sig[i] = minHashMix(sig[j] + uint64(step)*0x9e3779b97f4a7c15)
				break
			}
		}
	}
	return sig, len(words) - ShingleSize + 1
}

func minHashWordsReference(text string, emit func(uint64) bool) {
	const (
		fnvOffset = 14695981039346656037
		fnvPrime  = 1099511628211
	)
	start := -1
	flush := func(end int) bool {
		if start < 0 {
			return true
		}
		word := text[start:end]
		start = -1
		if !nameASCII(word) {
			for _, f := range strings.Fields(FoldName(word)) {
				if !emit(minHashFNV(f)) {
					return false
				}
			}
			return true
		}
		h, n := uint64(fnvOffset), 0
		for i := 0; i < len(word); i++ {
			c := word[i]
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'':
				continue
			}
			h = (h ^ uint64(c)) * fnvPrime
			n++
		}
		if n == 0 {
			return true
		}
		return emit(h)
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '\'' {
				if start < 0 {
					start = i
				}
			} else if !flush(i) {
				return
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if nameWordRune(r) {
			if start < 0 {
				start = i
			}
		} else if !flush(i) {
			return
		}
		i += n
	}
	flush(len(text))
}

// minHashCases are texts for the reference comparison: ASCII, apostrophes only, mixed
// scripts, homoglyphs, zero-width characters, full-width digits, invalid UTF-8, and more
// words than minHashMaxTokens.
var minHashCases = []string{
	"", "one two three four", "one two three four five", "the quick brown fox jumps over the lazy dog",
	"'' ' ''' a b c d e f", "Jo\u200bhn Smіth Ｇｏ ｅｎｇｉｎｅｅｒ １２３ São Paulo Иван Петров 王小明 x y z",
	"ÆØÅ straße naïve café\xff\xfe bad utf8 here and there", "o'neil O’Neil d'Artagnan rock'n'roll a b c",
	strings.Repeat("lorem ipsum dolor sit amet ", minHashMaxTokens/4),
	strings.Repeat("Ünïcödé wörd ", minHashMaxTokens/2+3),
}

func checkMinHashReference(t *testing.T, text string) {
	t.Helper()
	var sig [MinHashSize]uint64
	n := minHash(text, &sig)
	want, wantN := minHashReference(text)
	if n != wantN || n > 0 && !slices.Equal(sig[:], want) {
		t.Fatalf("minHash(%.60q) = %d shingles, differs from the reference (%d shingles)", text, n, wantN)
	}
}

func TestMinHashMatchesReference(t *testing.T) {
	for _, text := range minHashCases {
		checkMinHashReference(t, text)
	}
}

func FuzzMinHashMatchesReference(f *testing.F) {
	for _, text := range minHashCases {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkMinHashReference(t, text)
	})
}
