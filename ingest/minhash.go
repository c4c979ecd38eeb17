package ingest

import (
	"strings"
	"unicode/utf8"
)

// MinHash parameters. They are part of the meaning of every stored cv_sketch value:
// changing any of them (or the hashing) requires re-ingesting all CV text.
const (
	// MinHashSize is the length of a signature.
	MinHashSize = 64
	// ShingleSize is the number of consecutive words in a shingle.
	ShingleSize = 5
	// LSHBands and LSHRows split a signature into bands for locality-sensitive hashing:
	// two texts share a band with probability 1-(1-J^4)^16 for Jaccard similarity J,
	// about 0.05 at J=0.2, 0.64 at J=0.5 and 0.99 at J=0.8.
	LSHBands = 16
	LSHRows  = MinHashSize / LSHBands
	// minHashMaxTokens caps the words shingled, so a hostile multi-megabyte CV costs a
	// bounded amount of work. Real CVs have a few hundred to a few thousand words.
	minHashMaxTokens = 20000
	// minHashSeed seeds the one hash function. Fixed: signatures must agree across runs
	// and machines (hash/maphash's per-process random seed would not).
	minHashSeed = 0x9e3779b97f4a7c15
)

// MinHash returns the MinHash signature (MinHashSize values) of the ShingleSize-word
// shingles of text, over words folded as in FoldName (case, diacritics, zero-width and
// homoglyph tricks) and capped at the first 20,000 words. Texts with fewer than
// ShingleSize words have no shingle and give nil.
//
// # Design
//
// A signature is computed by one-permutation hashing (Li, Owen and Zhang, 2012) with
// rotation densification (Shrivastava and Li, 2014): each shingle's 64-bit hash picks one
// of MinHashSize bins by its top bits and competes for that bin's minimum; an empty bin
// takes the next non-empty bin's value, offset by the distance, so that two texts agree on
// a bin with probability close to their Jaccard similarity. Rejected: MinHashSize
// independent hash functions, the textbook form, which costs MinHashSize hashes per
// shingle, about 60 times the work, for the same estimator quality at this size.
//
// Shingles hash words, not strings: each word is hashed once (FNV-1a over its folded
// form) and a shingle's hash mixes its words' hashes, so no shingle string is built.
func MinHash(text string) []uint64 {
	var sig [MinHashSize]uint64
	if minHash(text, &sig) == 0 {
		return nil
	}
	return sig[:]
}

// minHash computes the signature of text into sig and returns its number of shingles;
// sig is meaningless when that is 0. It allocates nothing for ASCII text: only the last
// ShingleSize word hashes are kept, rather than collecting every word first.
func minHash(text string, sig *[MinHashSize]uint64) int {
	if len(text) > cvMaxBytes {
		text = text[:cvMaxBytes]
	}
	var st minHashState
	st.sig = sig
	minHashWords(text, &st)
	if st.words < ShingleSize {
		return 0
	}
	// Rotation densification: an empty bin borrows from the next non-empty one to its
	// right (wrapping), offset by the number of steps so borrowed values stay distinct.
	for i := range sig {
		if st.filled&(1<<i) != 0 {
			continue
		}
		for step := 1; step < MinHashSize; step++ {
			j := (i + step) % MinHashSize
			if st.filled&(1<<j) != 0 {
				sig[i] = minHashMix(sig[j] + uint64(step)*0x9e3779b97f4a7c15)
				break
			}
		}
	}
	return st.words - ShingleSize + 1
}

// minHashState is a signature being built: the bins, and the last ShingleSize word
// hashes, oldest first.
type minHashState struct {
	sig    *[MinHashSize]uint64
	filled uint64 // bit i set when bin i holds a value
	last   [ShingleSize]uint64
	words  int
}

// add takes the next word's hash, and the shingle it completes; false once
// minHashMaxTokens words have been taken.
func (st *minHashState) add(w uint64) bool {
	copy(st.last[:], st.last[1:])
	st.last[ShingleSize-1] = w
	st.words++
	if st.words >= ShingleSize {
		// Multiply-xor chaining keeps word order; one full mix at the end spreads it.
		h := uint64(minHashSeed)
		for _, v := range st.last {
			h = (h^v)*0x100000001b3 + 0x9e3779b97f4a7c15
		}
		h = minHashMix(h)
		bin := h >> (64 - 6) // top six bits: 64 bins
		if v := h << 6; st.filled&(1<<bin) == 0 || v < st.sig[bin] {
			st.sig[bin] = v
			st.filled |= 1 << bin
		}
	}
	return st.words < minHashMaxTokens
}

// JaccardEstimate estimates the Jaccard similarity of the shingle sets behind two
// signatures: the fraction of positions where they agree. Signatures of different
// lengths, or empty ones, give 0.
func JaccardEstimate(a, b []uint64) float64 {
	if len(a) == 0 || len(a) != len(b) {
		return 0
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

// minHashHexDigits are the digits of sketches and band keys (lower-case, as
// hex.EncodeToString).
const minHashHexDigits = "0123456789abcdef"

// minHashMix is the splitmix64 / murmur3 finaliser: a bijection on 64 bits with full
// avalanche, cheap enough to run once per word and shingle.
func minHashMix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// minHashWords gives st the hash of each folded word of text, in order, until st.add
// returns false. A word is a run of ASCII letters, digits and apostrophes and of the
// runes nameWordRune accepts. An ASCII word is folded and hashed (FNV-1a) as it is
// scanned: lower case, apostrophes dropped, and no hash if nothing else is left. A word
// with other characters goes through FoldName and may yield several words.
func minHashWords(text string, st *minHashState) {
	const (
		fnvOffset = 14695981039346656037
		fnvPrime  = 1099511628211
	)
	for i := 0; i < len(text); {
		// Skip to the start of a word.
		if c := text[i]; c < utf8.RuneSelf {
			if !minHashASCIIWordByte(c) {
				i++
				continue
			}
		} else if r, n := utf8.DecodeRuneInString(text[i:]); !nameWordRune(r) {
			i += n
			continue
		}
		start := i
		h, n, ascii := uint64(fnvOffset), 0, true
		for i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				if !minHashASCIIWordByte(c) {
					break
				}
				i++
				if c == '\'' {
					continue
				}
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				h = (h ^ uint64(c)) * fnvPrime
				n++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if !nameWordRune(r) {
				break
			}
			ascii = false
			i += size
		}
		if ascii {
			if n > 0 && !st.add(h) {
				return
			}
			continue
		}
		for _, f := range strings.Fields(FoldName(text[start:i])) {
			if !st.add(minHashFNV(f)) {
				return
			}
		}
	}
}

// minHashASCIIWordByte reports whether an ASCII byte belongs to a word.
func minHashASCIIWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '\''
}

// minHashFNV is 64-bit FNV-1a of s.
func minHashFNV(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}
