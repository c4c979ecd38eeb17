package ingest

import "strconv"

// CV band keys are derived from a CV's sketch (KindCVSketch, 16 bits of each minimum),
// not from its full signature, and they are not identifiers: no record stores them and
// nothing posts them. Sixteen band postings a record were 57% of the store's keys and
// about a third of the CPU of storing a record; the engine now finds shared bands by
// sorting the sketches it holds anyway, and the search index keeps the band keys as
// terms for the incremental linker's lookups (graph). Cutting minima to 16 bits makes two
// unrelated minima agree with probability 2^-16, so a band (four minima) is shared by
// chance with probability 2^-64: the candidates are the full signature's.

// ParseCVSketch decodes a KindCVSketch value: MinHashSize minima of 16 bits, four hex
// digits each. ok is false for anything else.
func ParseCVSketch(v string) (sk [MinHashSize]uint16, ok bool) {
	if len(v) != 4*MinHashSize {
		return sk, false
	}
	// By hand rather than strconv.ParseUint per minimum: the engine parses every stored
	// sketch when it builds its band index, 64 minima each.
	for i := range sk {
		var x uint16
		for _, c := range []byte(v[4*i : 4*i+4]) {
			d, ok := hexDigit(c)
			if !ok {
				return sk, false
			}
			x = x<<4 | uint16(d)
		}
		sk[i] = x
	}
	return sk, true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// CVBands returns the LSH band hashes of a sketch: band b hashes minima
// [b*LSHRows, (b+1)*LSHRows). Two CVs share band b with probability about J^LSHRows for
// Jaccard similarity J (see LSHBands).
func CVBands(sk *[MinHashSize]uint16) [LSHBands]uint64 {
	var out [LSHBands]uint64
	for band := range LSHBands {
		out[band] = CVBand(sk, band)
	}
	return out
}

// CVBand is CVBands(sk)[band].
func CVBand(sk *[MinHashSize]uint16, band int) uint64 {
	h := uint64(minHashSeed) + uint64(band)
	for _, v := range sk[band*LSHRows : (band+1)*LSHRows] {
		h = minHashMix(h ^ uint64(v))
	}
	return h
}

// CVBandValue is the text form of band b's hash h, "b03:" and 16 hex digits: how a shared
// band is named in evidence, flags and exports, and the band's search-index term.
func CVBandValue(band int, h uint64) string {
	var key [4 + 16]byte
	key[0], key[1], key[2], key[3] = 'b', byte('0'+band/10), byte('0'+band%10), ':'
	for k := range 16 {
		key[4+k] = minHashHexDigits[h>>(60-4*k)&0xf]
	}
	return string(key[:])
}

// CVBandValues returns the LSHBands band values of a KindCVSketch value, or nil when it
// is malformed.
func CVBandValues(sketch string) []string {
	sk, ok := ParseCVSketch(sketch)
	if !ok {
		return nil
	}
	bands := CVBands(&sk)
	out := make([]string, LSHBands)
	for b, h := range bands {
		out[b] = CVBandValue(b, h)
	}
	return out
}

// ParseCVBandValue reads a CVBandValue back into its band and hash.
func ParseCVBandValue(v string) (band int, h uint64, ok bool) {
	if len(v) != 4+16 || v[0] != 'b' || v[3] != ':' || v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9' {
		return 0, 0, false
	}
	band = int(v[1]-'0')*10 + int(v[2]-'0')
	h, err := strconv.ParseUint(v[4:], 16, 64)
	if err != nil || band >= LSHBands {
		return 0, 0, false
	}
	return band, h, true
}
