package engine

import (
	"slices"

	"github.com/personagraph/personagraph/ingest"
)

// Near-duplicate CVs found without other evidence. similarCVs compares only the pairs
// that something else already ties, and the LSH bands (four minima each) find a pair at
// Jaccard 0.3 about one time in six: two personas of one operator whose only trace in
// common is the operator's template (different machines, exits and contacts) were never
// compared. A template's siblings share its rare lines verbatim (the operator's own
// bullets with their figures, typos and odd phrases, DOMAIN.md S45), which unrelated CVs
// do not, public templates and bootcamp boilerplate aside; the boilerplate is what
// cvBoilerplate already discounts.
const (
	// cvSketchStrong is the share of rare minima (those cvBoilerplate lets count) at which
	// two CVs are one template's copies on their own. DOMAIN.md 6.5 puts unrelated
	// same-template CVs at a text Jaccard of at most 0.3 outside the boilerplate; the
	// level is set at that bound, so that only more than a public template explains
	// the agreement. Measured on generated populations of 20,000 people, no two
	// unrelated people's CVs reached 0.21 (T1) or 0.24 (T3), and one operator's
	// personas' CVs mostly 0.28 to 0.5.
	cvSketchStrong = 0.3
	// cvPairRows is the minima per band of the search for near-duplicates: two rows of 16
	// bits make a 32-bit key, which a pair at rare Jaccard J shares in one of
	// MinHashSize/cvPairRows bands with probability 1-(1-J^2)^32: 0.95 at 0.3, 0.999 at
	// 0.45. Random keys collide for about a hundred pairs a band at a million CVs.
	cvPairRows  = 2
	cvPairBands = ingest.MinHashSize / cvPairRows
)

// maxNearCVBucket is how many CVs may share a band of the search for it to name pairs.
// An operator's own template is on a few personas; a bucket of more is a public
// template's or a bootcamp's lines, whose siblings are not one operator's: at a million
// records, buckets of up to 64 named some 300 million pairs to compare (4 GB, 53 s).
const maxNearCVBucket = 8

// nearCVPairs calls fn for each pair of person clusters (a < b) two of whose records'
// CVs share a band of cvPairRows rare minima, once per pair, in ascending order of the
// pair. A minimum is rare when at most cvBoilerplate CVs have it in its place (common
// counts them); a band with a common minimum is boilerplate and keys nothing. A band
// value held by more than maxNearCVBucket CVs is a template's, not a pair's: it is
// skipped, as photoNearDuplicates skips full buckets.
func nearCVPairs(persons []int32, cv map[int32]*cvSketch, common *[ingest.MinHashSize][1 << 16]uint32, fn func(a, b int32)) {
	recs, sketches := sketchesInOrder(cv)
	// One band at a time: a key's 32 bits above the record's index in recs.
	entries := make([]uint64, len(recs))
	scratch := make([]uint64, len(recs))
	var found []uint64
	for band := range cvPairBands {
		entries = entries[:0]
		for i, s := range sketches {
			x, y := s[cvPairRows*band], s[cvPairRows*band+1]
			if common[cvPairRows*band][x] > cvBoilerplate || common[cvPairRows*band+1][y] > cvBoilerplate {
				continue
			}
			entries = append(entries, (uint64(x)<<16|uint64(y))<<32|uint64(i))
		}
		radixSortHigh32(entries, scratch[:len(entries)])
		for lo := 0; lo < len(entries); {
			hi := lo + 1
			for hi < len(entries) && entries[hi]>>32 == entries[lo]>>32 {
				hi++
			}
			if n := hi - lo; n >= 2 && n <= maxNearCVBucket {
				for x := lo; x < hi; x++ {
					for y := x + 1; y < hi; y++ {
						a, b := persons[recs[uint32(entries[x])]], persons[recs[uint32(entries[y])]]
						if a == b {
							continue
						}
						if a > b {
							a, b = b, a
						}
						found = append(found, uint64(a)<<32|uint64(b))
					}
				}
			}
			lo = hi
		}
	}
	slices.Sort(found)
	for _, k := range slices.Compact(found) {
		fn(int32(k>>32), int32(k&0xffffffff))
	}
}

// radixSortHigh32 sorts xs by their upper 32 bits, stably (two passes of 16 bits, through
// scratch, which is as long as xs): entries of one key keep their ascending record order.
// A comparison sort of every band was most of the search's time at a million CVs.
func radixSortHigh32(xs, scratch []uint64) {
	var count [1 << 16]int
	for _, shift := range [2]uint{32, 48} {
		clear(count[:])
		for _, x := range xs {
			count[x>>shift&0xffff]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, x := range xs {
			d := x >> shift & 0xffff
			scratch[count[d]] = x
			count[d]++
		}
		copy(xs, scratch)
	}
}

// drop takes back the evidence of kind ki from the pair.
func (pe *pairEvidence) drop(ki int) {
	pe.total -= pe.byKind[ki]
	pe.byKind[ki] = 0
	pe.kinds &^= 1 << ki
	pe.facilitator &^= 1 << ki
}
