package engine

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/personagraph/personagraph/ingest"
)

// Copies of one template tied by nothing else link when they share enough rare minima,
// and only then: fewer shared minima, or the same number that a public template's
// boilerplate puts on hundreds of CVs, leave the pair untied.
func TestNearCVPairsUntied(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := func() *cvSketch {
		var s cvSketch
		for i := range s {
			s[i] = uint16(r.Uint32())
		}
		return &s
	}
	// copyOf agrees with base on n minima at random positions (and by chance, one time
	// in 65,536, elsewhere).
	copyOf := func(base *cvSketch, n int) *cvSketch {
		s := random()
		for _, i := range r.Perm(len(base))[:n] {
			s[i] = base[i]
		}
		return s
	}
	base := random()
	strong := copyOf(base, 24) // 0.375 of the minima
	weak := copyOf(base, 12)   // 0.19: a public template's siblings, at most
	// Two CVs sharing 24 minima that more than cvBoilerplate other CVs hold too, and
	// one band of two minima of their own, by which the search finds the pair.
	boiler := random()
	boilerCopy := copyOf(boiler, 24)
	common := *boilerCopy
	band := -1
	for b := range cvPairBands {
		if common[2*b] != boiler[2*b] && common[2*b+1] != boiler[2*b+1] {
			band = b
			break
		}
	}
	if band < 0 {
		t.Fatal("no band free of the shared minima")
	}
	boilerCopy[2*band], boilerCopy[2*band+1] = boiler[2*band], boiler[2*band+1]
	cv := map[int32]*cvSketch{0: base, 1: strong, 2: weak, 3: boiler, 4: boilerCopy}
	persons := []int32{0, 1, 2, 3, 4}
	for p := int32(5); p < 5+cvBoilerplate+1; p++ {
		cv[p] = random()
		for i := range boiler {
			if common[i] == boiler[i] {
				cv[p][i] = boiler[i]
			}
		}
		persons = append(persons, p)
	}
	pairs := map[uint64]*pairEvidence{}
	similarCVs(persons, cv, pairs)
	key := func(a, b int32) uint64 { return uint64(a)<<32 | uint64(b) }
	if pe := pairs[key(0, 1)]; pe == nil || !linksAlone(pe) {
		t.Error("two copies of one template sharing 24 of 64 rare minima are not linked")
	}
	if pe := pairs[key(0, 2)]; pe != nil && linksAlone(pe) {
		t.Error("two CVs sharing 12 of 64 minima are linked")
	}
	if pe := pairs[key(3, 4)]; pe != nil && linksAlone(pe) {
		t.Error("two CVs sharing only boilerplate minima are linked")
	}
}

// The search for untied near-duplicates runs over every CV of a full run.
func BenchmarkNearCVPairs(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 200_000
	cv := make(map[int32]*cvSketch, n)
	persons := make([]int32, n)
	for i := range int32(n) {
		var s cvSketch
		for j := range s {
			s[j] = uint16(r.Uint32())
		}
		cv[i], persons[i] = &s, i
	}
	common := new([ingest.MinHashSize][1 << 16]uint32)
	for _, s := range cv {
		for i, v := range s {
			common[i][v]++
		}
	}
	b.ResetTimer()
	for range b.N {
		nearCVPairs(persons, cv, common, func(a, b int32) {})
	}
}

// The radix sort orders by the upper 32 bits and keeps the order of equal keys, which
// for entries built in ascending index order is the order of a full sort.
func TestRadixSortHigh32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	xs := make([]uint64, 5000)
	for i := range xs {
		key := uint64(r.IntN(3000)) * 0x9e3779b1 & 0xffffffff // repeated keys, all 32 bits
		xs[i] = key<<32 | uint64(i)
	}
	want := slices.Clone(xs)
	slices.Sort(want)
	radixSortHigh32(xs, make([]uint64, len(xs)))
	if !slices.Equal(xs, want) {
		t.Fatal("radix order differs from a full sort")
	}
}

// A shared LSH band beside an exit IP links two personas only while their sketches,
// compared whole, agree: a band of CVs that are otherwise unlike is chance or a
// template's lines.
func TestBandOfUnlikeCVsDropped(t *testing.T) {
	var base cvSketch
	for i := range base {
		base[i] = uint16(i * 7919)
	}
	unlike, alike := base, base
	for i := 4; i < len(unlike); i++ {
		unlike[i]++ // only the first band's four minima agree
	}
	for i := 20; i < len(alike); i++ {
		alike[i]++ // 20 of 64 agree
	}
	ip := slices.IndexFunc(operatorEvidence, func(ek evidenceKind) bool { return ek.kind == ingest.KindIP })
	tie := func() *pairEvidence {
		pe := &pairEvidence{}
		pe.add(ip, 0.5, false)
		pe.add(kiCVBand, operatorEvidence[kiCVBand].weight, false)
		return pe
	}
	key := func(a, b int32) uint64 { return uint64(a)<<32 | uint64(b) }
	pairs := map[uint64]*pairEvidence{key(0, 1): tie(), key(0, 2): tie()}
	if !linksAlone(pairs[key(0, 1)]) {
		t.Fatal("an exit IP and a CV band do not link before the sketches are compared")
	}
	similarCVs([]int32{0, 1, 2}, map[int32]*cvSketch{0: &base, 1: &unlike, 2: &alike}, pairs)
	if linksAlone(pairs[key(0, 1)]) {
		t.Error("a band of otherwise unlike CVs still links beside an exit IP")
	}
	if !linksAlone(pairs[key(0, 2)]) {
		t.Error("a band of alike CVs beside an exit IP no longer links")
	}
}
