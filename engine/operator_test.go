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

// Exits two personas used from different places link them whoever else used the exits;
// a home's line between people who gave one address is that address's evidence only.
func TestIPExitsApart(t *testing.T) {
	ip := operatorEvidence[slices.IndexFunc(operatorEvidence, func(ek evidenceKind) bool { return ek.kind == ingest.KindIP })]
	ki := slices.Index(operatorEvidence, ip)
	home, farm, flat := []uint64{1}, []uint64{2}, []uint64{3}
	tests := []struct {
		name         string
		addrA, addrB []uint64
		exits        int
		want         bool
	}{
		{"two exits used from two places", home, farm, 2, true},
		{"one exit used from two places", home, farm, 1, false},
		{"two lines of one home", flat, flat, 2, false},
		{"two exits, one holder without address", nil, farm, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pe pairEvidence
			for range tc.exits {
				// Facilitator evidence for the value: other holders of it live together.
				pe.addValue(ki, ip, ip.weight, true, tc.addrA, tc.addrB)
			}
			if got := linksAlone(&pe); got != tc.want {
				t.Fatalf("links %v, want %v", got, tc.want)
			}
		})
	}
}

// A laptop or account held by the people of one home is the home's, risk signals or not,
// when no one else gave that address; at an address others gave too (a farm), it is
// benign only if some holder shows no risk signal.
func TestHouseholdValueWeight(t *testing.T) {
	device := operatorEvidence[0]
	if device.kind != ingest.KindDevice {
		t.Fatal("operatorEvidence[0] is not the device")
	}
	email := operatorEvidence[slices.IndexFunc(operatorEvidence, func(ek evidenceKind) bool { return ek.kind == ingest.KindEmail })]
	const voip = sigVoIP
	addr := map[int32][]uint64{1: {10}, 2: {10}, 3: {10}, 4: {20}}
	home := homeSizes(addr)
	tests := []struct {
		name    string
		ek      evidenceKind
		holders []int32
		sig     map[int32]uint32
		addr    map[int32][]uint64
		benign  bool
	}{
		{"family PC, no signals", device, []int32{1, 2}, nil, addr, true},
		{"PC of a home others gave too, one holder risky", device, []int32{1, 2}, map[int32]uint32{1: voip}, addr, true},
		{"PC of a home others gave too, all holders risky", device, []int32{1, 2}, map[int32]uint32{1: voip, 2: voip}, addr, false},
		{"PC of a private home, all holders risky", device, []int32{1, 2}, map[int32]uint32{1: voip, 2: voip},
			map[int32][]uint64{1: {10}, 2: {10}, 4: {20}}, true},
		{"PC shared away from home", device, []int32{1, 4}, nil, addr, false},
		{"mailbox shared, no signals", email, []int32{1, 4}, nil, addr, true},
		{"mailbox shared, a location mismatch", email, []int32{1, 4}, map[int32]uint32{4: sigLocationMismatch}, addr, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := home
			if tc.addr != nil {
				h = homeSizes(tc.addr)
			}
			_, benign := valueWeight(tc.ek, tc.holders, tc.sig, nil, tc.addr, h)
			if benign != tc.benign {
				t.Fatalf("benign %v, want %v", benign, tc.benign)
			}
		})
	}
}
