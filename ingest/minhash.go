package ingest

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MinHash parameters. They are part of the meaning of every stored cv_shingle_band value:
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
	sig, _ := minHash(text)
	return sig
}

// minHash returns the signature of text and its number of shingles.
func minHash(text string) ([]uint64, int) {
	if len(text) > cvMaxBytes {
		text = text[:cvMaxBytes]
	}
	words := make([]uint64, 0, min(len(text)/5+1, minHashMaxTokens))
	minHashWords(text, func(h uint64) bool {
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

// LSHBandValues returns the band keys of a signature, "b00:" to "b15:" followed by 16 hex
// digits of the hash of the band's rows. Two texts that share any band value are
// candidates for near-duplicate comparison. A signature of another length gives nil.
func LSHBandValues(sig []uint64) []string {
	if len(sig) != MinHashSize {
		return nil
	}
	out := make([]string, 0, LSHBands)
	var buf [8]byte
	for band := range LSHBands {
		h := uint64(minHashSeed) + uint64(band)
		for _, v := range sig[band*LSHRows : (band+1)*LSHRows] {
			h = minHashMix(h ^ v)
		}
		for k := range buf {
			buf[k] = byte(h >> (56 - 8*k))
		}
		var b strings.Builder
		b.Grow(20)
		b.WriteByte('b')
		if band < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(band))
		b.WriteByte(':')
		b.WriteString(hex.EncodeToString(buf[:]))
		out = append(out, b.String())
	}
	return out
}

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

// minHashWords calls emit with the hash of each folded word of text, in order, until
// emit returns false. ASCII words are folded in place (lower case, apostrophes dropped);
// a word with other characters goes through FoldName and may yield several words.
func minHashWords(text string, emit func(uint64) bool) {
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

// minHashFNV is 64-bit FNV-1a of s.
func minHashFNV(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}
