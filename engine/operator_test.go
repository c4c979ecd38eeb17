package engine

import (
	"slices"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

func TestPhotoNearDuplicates(t *testing.T) {
	persons := []int32{0, 1, 2, 3, 3}
	photo := []uint64{
		0xc3a1f0e4b2d49786,
		0xc3a1f0e4b2d49786 ^ 0b1011, // three bits off: the same face
		0x0123456789abcdef,          // unrelated
		0xc3a1f0e4b2d49786 ^ 0xfff,  // twelve bits off: too far
		0,                           // no photo
	}
	var got [][2]int32
	photoNearDuplicates(persons, photo, func(a, b int32) { got = append(got, [2]int32{min(a, b), max(a, b)}) })
	slices.SortFunc(got, func(x, y [2]int32) int { return int(x[0]-y[0])*10 + int(x[1]-y[1]) })
	got = slices.Compact(got)
	if !slices.Equal(got, [][2]int32{{0, 1}}) {
		t.Fatalf("near-duplicate pairs %v, want [[0 1]]", got)
	}
}

func TestPhoneBlocks(t *testing.T) {
	persons := []int32{0, 1, 2, 2}
	phones := [][]uint64{{19405550117}, {19405550118}, {19405559999, 19405550117}, nil}
	var got [][2]int32
	phoneBlocks(persons, sortedPhoneNumbers(phones), func(a, b int32) { got = append(got, [2]int32{min(a, b), max(a, b)}) })
	slices.SortFunc(got, func(x, y [2]int32) int { return int(x[0]-y[0])*10 + int(x[1]-y[1]) })
	// 0 and 1 hold consecutive numbers; 2 holds 0's exact number (exact evidence, not a
	// block) and the next one to 1's.
	if !slices.Equal(got, [][2]int32{{0, 1}, {1, 2}}) {
		t.Fatalf("phone block pairs %v", got)
	}
}

// Two personas tied by one weak kind link when their CVs are one template's siblings, and
// stay apart when their CVs differ; personas tied by nothing are never compared.
func TestSimilarCVs(t *testing.T) {
	var base cvSketch
	for i := range base {
		base[i] = uint16(i * 7919)
	}
	sibling, other := base, base
	for i := range sibling {
		if i%2 == 0 {
			sibling[i]++ // half the minima agree: similarity 0.5
		}
		other[i]++ // none agree
	}
	persons := []int32{0, 1, 2, 3}
	cv := map[int32]*cvSketch{0: &base, 1: &sibling, 2: &other, 3: &sibling}
	tied := func(a, b int32) uint64 { return uint64(a)<<32 | uint64(b) }
	pairs := map[uint64]*pairEvidence{tied(0, 1): {}, tied(0, 2): {}}
	for _, pe := range pairs {
		pe.add(len(operatorEvidence)-1, 0.5, false) // one weak kind, as an exit IP
	}
	similarCVs(persons, cv, pairs)
	if !linksAlone(pairs[tied(0, 1)]) {
		t.Error("siblings tied by an IP are not linked")
	}
	if linksAlone(pairs[tied(0, 2)]) {
		t.Error("different CVs tied by an IP are linked")
	}
	if _, ok := pairs[tied(0, 3)]; ok {
		t.Error("an untied pair was compared")
	}
}

// Any text's CV sketch parses and matches itself exactly; no input panics the parser.
func FuzzCVSketch(f *testing.F) {
	f.Add("Senior Go developer with ten years of distributed systems experience building payment platforms")
	f.Add("zz")
	f.Fuzz(func(t *testing.T, text string) {
		parseCVSketch(text) // arbitrary input: no panic
		for _, id := range ingest.CVIdentifiers(text, "") {
			if id.Kind != ingest.KindCVSketch {
				continue
			}
			s := parseCVSketch(id.Value)
			if s == nil || s.similarity(s) != 1 {
				t.Fatalf("sketch %q does not parse or match itself", id.Value)
			}
			if got := ingest.CVSketchSimilarity(id.Value, id.Value); got != 1 {
				t.Fatalf("ingest similarity of a sketch with itself: %v", got)
			}
		}
	})
}
