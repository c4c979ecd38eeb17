package engine

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/personagraph/personagraph/ingest"
)

// The operator layer links person clusters through shared infrastructure. A shared value
// is evidence, not noise, but how much depends on its kind and on who holds it:
//
//   - kind: a device fingerprint, payout account, e-mail or photo shared by several
//     personas is strong; a phone or profile handle a little less; an exit IP and CV
//     text bands weak; a shipping address, a third party's or a collector's payout
//     account (collectorHolders personas paid to it, or three to a wallet:
//     collectorWallet), a home IP of people at one address and a block of phone
//     numbers are facilitator evidence (a laptop farm serves several operators): they
//     never link on their own, nor with each other;
//   - holders: a value held by many personas most of whom carry no risk signal (camera
//     on, no remote tools, no VoIP, no money-service payout) looks like a benign hub
//     (agency contact, umbrella payroll, co-working address) and is discounted; for a
//     value held by a few personas, one risk signal among them is enough to keep its
//     weight, and a device, payout or IP counts as a household's only if its holders
//     gave a common address. So is a value whose holders share a family name (a
//     household's laptop or landline) discounted, and one held by very many personas,
//     and a profile, e-mail, phone or document that a persona shares with a namesake
//     who shows no risk signal: the stolen identity's own (oneIdentity).
//
// A value at or above strongWeight links all its holders. Weaker values add their weight
// to each pair of holders (only for values with at most maxPairHolders holders, so the
// pair table stays bounded); a pair links when its evidence reaches strongWeight from two
// kinds, not both facilitator evidence, or from one kind that alone reaches it (many CV
// bands of one near-duplicate CV).
const (
	strongWeight   = 0.8
	maxPairHolders = 30
	hubHolders     = 30
	fewHolders     = 5 // up to this many, signals do not decide benignity
	benignDiscount = 0.25
	familyDiscount = 0.25
	hubDiscount    = 0.25
	maxEvidence    = 200 // holders listed as evidence for one value
	// collectorHolders is how many personas one payout account may gather before it
	// reads as a ring's collector rather than one operator's account.
	collectorHolders = 4
)

type evidenceKind struct {
	kind        ingest.Kind
	weight      float64
	facilitator bool // links only together with other evidence
	household   bool // benignly shared only within one home (family PC, joint account)
}

var operatorEvidence = []evidenceKind{
	{ingest.KindDevice, 1.0, false, true},
	{ingest.KindPayment, 1.0, false, true},
	{ingest.KindEmail, 1.0, false, false},
	{ingest.KindPhoto, 1.0, false, false},
	{ingest.KindPhone, 0.8, false, false},
	{ingest.KindProfile, 0.8, false, false},
	{ingest.KindDocument, 0.8, false, false},
	{ingest.KindUsername, 0.5, false, false},
	{ingest.KindCVShingleBand, 0.3, false, false},
	{ingest.KindAddress, 0.4, true, false},
	// An exit IP shared away from one home: an operator's VPN exit or VPS. Weak, since
	// a facilitator's home IP and public hot-spots are shared too.
	{ingest.KindIP, 0.5, false, true},
}

// pairEvidence accumulates weak evidence between two person clusters.
type pairEvidence struct {
	total       float64
	byKind      [16]float64
	kinds       uint16
	facilitator uint16  // kinds whose evidence came from facilitator values
	ipApart     float64 // IP evidence between holders who gave no common address
}

// pairFor returns the evidence of pair k, adding an empty one first if there is none.
func pairFor[K comparable](pairs map[K]*pairEvidence, k K) *pairEvidence {
	pe := pairs[k]
	if pe == nil {
		pe = &pairEvidence{}
		pairs[k] = pe
	}
	return pe
}

// addValue adds the evidence of a shared value of kind ek (index ki) held by the two
// person clusters of the pair, whose addresses are addrA and addrB.
//
// An IP held also by people who gave one address is that home's or farm's line, and
// counts as facilitator evidence beside others (valueFacilitator). Between two holders
// who gave no common address, though, it is an exit both used from different places;
// two or more such exits in common are an operator's rotating VPN exits, whoever else
// used them, and link on their own (ipApart). Judged only for the whole value, one farm's
// pair among the holders of an operator's exits made them facilitator evidence for all
// its personas. One exit alone stays facilitator evidence: a farm's line is used as an
// exit by several operators of a ring, beside the farm's bank account.
func (pe *pairEvidence) addValue(ki int, ek evidenceKind, w float64, facilitator bool, addrA, addrB []uint64) {
	pe.add(ki, w, facilitator)
	if ek.kind == ingest.KindIP && !sharesAny(addrA, addrB) {
		pe.ipApart += w
	}
}

func (pe *pairEvidence) add(ki int, w float64, facilitator bool) {
	pe.total += w
	pe.byKind[ki] += w
	pe.kinds |= 1 << ki
	if facilitator {
		pe.facilitator |= 1 << ki
	}
}

// linkOperators unions person clusters (roots of persons) into ops and returns the shared
// values it saw, for flags and evidence. Each union is also added to edges (when not nil)
// with the weight of its evidence, for the refinement pass (refine.go).
func (e *Engine) linkOperators(ctx context.Context, index map[string]int32, persons []int32, signals []uint32, near nearEvidence, ops *unionFind, edges *opEdges) ([]sharedValue, error) {
	steps := newStepLog(e.log, "operators: ")
	families := near.family
	personSig := make(map[int32]uint32)
	personFamily := make(map[int32]string)
	personAddr := make(map[int32][]uint64)
	personName := make(map[int32][]uint64)
	for i, p := range persons {
		personSig[p] |= signals[i]
		if families[i] != "" {
			personFamily[p] = families[i]
		}
		personAddr[p] = append(personAddr[p], near.address[i]...)
		if n := near.name[i]; n != 0 && !slices.Contains(personName[p], n) {
			personName[p] = append(personName[p], n)
		}
	}
	homeSize := homeSizes(personAddr)
	steps.done("person facts")
	labels, err := e.ValueLabels(ctx)
	if err != nil {
		return nil, err
	}
	// The CV work that needs the sketches and the person clusters only (the band groups,
	// the minimum counts, the near-copy candidates) runs beside the reading of shared
	// values from the store, which left the other core idle: in a 1M-record profile the
	// reading took 6.3 s of CPU, the bands 4.2 s and all of similarCVs 5.4 s, of which
	// only link, the part that needs the pairs, is left after the loop. The groups kept
	// are those of bands that two or more CVs share.
	type bandGroup struct {
		value   string
		records []int32
	}
	bandsDone := make(chan []bandGroup, 1)
	prepDone := make(chan *cvPrep, 1)
	go func() {
		var groups []bandGroup
		_ = forEachSharedBand(near.cv, func(value string, records []int32) error {
			groups = append(groups, bandGroup{value, records})
			return nil
		})
		bandsDone <- groups
		prepDone <- prepareCVs(persons, near.cv)
	}()
	var shared []sharedValue
	pairs := make(map[uint64]*pairEvidence)
	var holders []int32
	for ki, ek := range operatorEvidence {
		// visit weighs one shared value held by the records idx (kept in shared).
		visit := func(value string, idx []int32) error {
			holders = holders[:0]
			for _, i := range idx {
				holders = append(holders, persons[i])
			}
			holders = sortedUnique(holders)
			if len(holders) < 2 {
				// One person's own value: evidence for the person layer's clusters only.
				if ek.kind != ingest.KindCVShingleBand && len(idx) >= 2 {
					shared = append(shared, sharedValue{kind: ek.kind, value: value, records: idx})
				}
				return nil
			}
			w, benign := valueWeight(ek, holders, personSig, personFamily, personAddr, homeSize)
			if oneIdentity(ek, holders, personName, personSig) {
				w, benign = w*familyDiscount, true
			}
			label := labels[string(ek.kind)+":"+value]
			w, benign = applyLabel(label, ek, w, benign)
			if len(idx) <= maxEvidence {
				shared = append(shared, sharedValue{kind: ek.kind, value: value, records: idx, benign: benign})
			}
			facilitator := valueFacilitator(ek, holders, allSignal(idx, signals, sigThirdPartyPayout), personAddr) ||
				collectorWallet(ek, value, holders)
			if w >= strongWeight && !facilitator {
				for _, h := range holders[1:] {
					ops.union(holders[0], h)
				}
				edges.addValue(holders, w, label == LabelConfirmedFarm)
				return nil
			}
			if len(holders) > maxPairHolders {
				return nil
			}
			for a := range holders {
				for b := a + 1; b < len(holders); b++ {
					k := uint64(holders[a])<<32 | uint64(holders[b])
					pairFor(pairs, k).addValue(ki, ek, w, facilitator, personAddr[holders[a]], personAddr[holders[b]])
				}
			}
			return nil
		}
		var err error
		if ek.kind == ingest.KindCVShingleBand {
			for _, g := range <-bandsDone { // bands have no postings
				if err = visit(g.value, g.records); err != nil {
					break
				}
			}
		} else {
			err = e.store.ForEachShared(ctx, ek.kind, func(value string, recs []string) error {
				idx := make([]int32, 0, len(recs))
				for _, r := range recs {
					if i, ok := index[r]; ok { // else stored after this run listed records
						idx = append(idx, i)
					}
				}
				if len(idx) < 2 {
					return nil
				}
				return visit(value, idx)
			})
		}
		if err != nil {
			return nil, fmt.Errorf("engine: operator evidence on %s: %w", ek.kind, err)
		}
	}
	addPair := func(a, b int32, ki int, w float64) {
		if a > b {
			a, b = b, a
		}
		// Numbers bought together are a purchase: often a facilitator's SIMs, handed to
		// several operators (DOMAIN.md 6.4).
		pairFor(pairs, uint64(a)<<32|uint64(b)).add(ki, w, ki == kiPhoneBlock)
	}
	steps.done("shared values")
	photoNearDuplicates(persons, near.photo, func(a, b int32) { addPair(a, b, kiPhotoNear, photoNearWeight) })
	numbers := sortedPhoneNumbers(near.phones)
	phoneBlocks(persons, numbers, func(a, b int32) { addPair(a, b, kiPhoneBlock, phoneBlockWeight) })
	shared = append(shared, phoneBlockRuns(persons, numbers)...)
	steps.done("photos and phone blocks")
	prep := <-prepDone
	steps.done("waiting for the CV work")
	prep.link(pairs)
	steps.done("CV pairs")
	keys := make([]uint64, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order must not decide anything
	for _, k := range keys {
		if pe := pairs[k]; linksAlone(pe) {
			ops.union(int32(k>>32), int32(k&0xffffffff))
			edges.add(int32(k>>32), int32(k&0xffffffff), pe.total)
		}
	}
	steps.done("links")
	return shared, nil
}

// valueWeight is the operator-layer weight of a value of kind ek held by the person
// clusters holders (at least two), and whether its holders look like a benign hub.
func valueWeight(ek evidenceKind, holders []int32, personSig map[int32]uint32, personFamily map[int32]string, personAddr map[int32][]uint64, homeSize map[uint64]int32) (w float64, benign bool) {
	w = ek.weight
	risky := 0
	for _, h := range holders {
		if personSig[h]&hubSignals != 0 {
			risky++
		}
	}
	// Many holders: benign unless most carry a risk signal. A few: benign only if none
	// does (roommates' shared laptop), since an operator's personas need not all show one.
	benign = 2*risky < len(holders)
	if len(holders) <= fewHolders {
		// A device or payout account shared without risk signals is a family PC, a
		// flatmate's laptop or a joint account: held at one home. Holders who never gave
		// a common address are not one household. One held by holders who all gave one
		// address is that home's even if they carry risk signals (a VoIP number, a camera
		// left off) when no one else gave the address, and even if some of them do when
		// others did: only every holder at an address others share too showing a risk
		// signal reads as an operator's machine at a farm. Two holders of one address
		// among more (an exit IP of which only some holders live together) do not make it
		// a home's. A number all holders of one address share is its landline unless each
		// shows a risk signal besides the number's own VoIP flag (homeLandline).
		one, private := oneHome(holders, personAddr, homeSize)
		benign = risky == 0 && (!ek.household || coResident(holders, personAddr)) ||
			ek.household && (private || one && risky < len(holders)) ||
			one && homeLandline(ek, holders, personSig)
	}
	if benign {
		w *= benignDiscount
	}
	if oneFamily(holders, personFamily) {
		benign = true
		w *= familyDiscount
	}
	if len(holders) > hubHolders {
		w *= hubDiscount
	}
	return w, benign
}

// valueFacilitator reports whether a shared value links only beside other evidence: a
// facilitator kind (a shipping address); an account paid to a third party on every record
// that names it (allThirdParty: a facilitator's or a collector's, DOMAIN.md S19), or one
// gathering pay for collectorHolders or more personas (a collector's fan-in spans a
// ring's operators, S21); an IP of people who gave one address (that home's or farm's
// line: evidence of the address, not a second signal beside it). An account in one
// persona's own name re-used by another is the operator's.
func valueFacilitator(ek evidenceKind, holders []int32, allThirdParty bool, personAddr map[int32][]uint64) bool {
	switch {
	case ek.facilitator:
		return true
	case ek.kind == ingest.KindPayment:
		return allThirdParty || len(holders) >= collectorHolders
	case ek.kind == ingest.KindIP:
		return coResident(holders, personAddr)
	}
	return false
}

// applyLabel changes a value's weight by the analyst label in force on it: a benign hub
// is discounted as if its holders looked benign, a confirmed farm counts as strong
// evidence whoever holds it (a facilitator's address still never links alone).
func applyLabel(label string, ek evidenceKind, w float64, benign bool) (float64, bool) {
	switch label {
	case LabelBenignHub:
		return min(w, ek.weight*benignDiscount), true
	case LabelConfirmedFarm:
		return max(w, strongWeight), false
	}
	return w, benign
}

// linksAlone reports whether pair evidence links two person clusters: it reaches
// strongWeight from one kind that is strong on its own (not facilitator evidence), or
// from two kinds of which one at least is not facilitator evidence.
func linksAlone(pe *pairEvidence) bool {
	if pe.total < strongWeight {
		return false
	}
	// A re-used face is strong on its own (DOMAIN.md S41), and so are copies of one CV
	// template (S45: shared rare lines, similarCVs); a phone block is not; nor are an
	// operator's exits used from different places (addValue).
	if pe.byKind[kiPhotoNear] >= strongWeight || pe.byKind[kiCVSketch] >= strongWeight || pe.ipApart >= strongWeight {
		return true
	}
	for ki := range operatorEvidence {
		if pe.facilitator&(1<<ki) == 0 && pe.byKind[ki] >= strongWeight {
			return true
		}
	}
	// Two facilitator kinds (a farm's address and its bank account) are one
	// facilitator's evidence, not two independent signals about an operator.
	return bits.OnesCount16(pe.kinds) >= 2 && pe.kinds&^pe.facilitator != 0
}

// allSignal reports whether every record in recs carries the signal bit.
func allSignal(recs []int32, signals []uint32, bit uint32) bool {
	for _, r := range recs {
		if signals[r]&bit == 0 {
			return false
		}
	}
	return true
}

// coResident reports whether two of the holders gave a common address.
func coResident(holders []int32, addr map[int32][]uint64) bool {
	seen := make(map[uint64]int32)
	for _, h := range holders {
		for _, a := range addr[h] {
			if o, ok := seen[a]; ok && o != h {
				return true
			}
			seen[a] = h
		}
	}
	return false
}

// oneHome reports whether every holder gave one common address (one), and whether no
// one else gave it (private: homeSize counts the person clusters giving each address).
func oneHome(holders []int32, addr map[int32][]uint64, homeSize map[uint64]int32) (one, private bool) {
	for _, a := range addr[holders[0]] {
		all := true
		for _, h := range holders[1:] {
			if !slices.Contains(addr[h], a) {
				all = false
				break
			}
		}
		if all {
			one = true
			if homeSize[a] == int32(len(holders)) {
				return true, true
			}
		}
	}
	return one, false
}

// homeSizes counts the person clusters giving each address that two or more give.
func homeSizes(personAddr map[int32][]uint64) map[uint64]int32 {
	size := make(map[uint64]int32)
	for _, as := range personAddr {
		for i, a := range as {
			if !slices.Contains(as[:i], a) {
				size[a]++
			}
		}
	}
	for a, n := range size {
		if n < 2 {
			delete(size, a)
		}
	}
	return size
}

// oneFamily reports whether most holders share a family-name code: a household.
func oneFamily(holders []int32, family map[int32]string) bool {
	count := make(map[string]int, len(holders))
	best := 0
	for _, h := range holders {
		if f := family[h]; f != "" {
			count[f]++
			best = max(best, count[f])
		}
	}
	return best >= 2 && 2*best > len(holders)
}

// Near evidence: values that are not equal but close. Their kind slots follow the exact
// kinds in pairEvidence.byKind.
var (
	kiPhotoNear  = len(operatorEvidence)
	kiPhoneBlock = len(operatorEvidence) + 1
	kiCVSketch   = len(operatorEvidence) + 2
)

const (
	// photoNearBits is how many of a 64-bit perceptual hash's bits may differ for two
	// photos to count as one face re-used: a re-encoded or cropped image.
	photoNearBits   = 6
	photoNearWeight = 0.9
	// phoneBlockSpan is how far apart two numbers may be to count as one block bought
	// together (sequential numbers); weak on its own.
	phoneBlockSpan   = 20
	phoneBlockWeight = 0.5
	maxNearBucket    = 64
)

// photoNearDuplicates calls link for pairs of person clusters whose photos differ in at
// most photoNearBits bits. With four 16-bit bands, two hashes that differ in fewer than
// four bits share a band exactly (pigeonhole), so bucketing by band finds nearly every
// such pair without comparing all photos; pairs at four to six bits are found when they
// happen to share a band.
func photoNearDuplicates(persons []int32, photo []uint64, link func(a, b int32)) {
	for band := range 4 {
		buckets := make(map[uint16][]int32)
		for i, h := range photo {
			if h != 0 {
				k := uint16(h >> (16 * band))
				buckets[k] = append(buckets[k], int32(i))
			}
		}
		for _, recs := range buckets {
			if len(recs) < 2 || len(recs) > maxNearBucket {
				continue
			}
			for x := range recs {
				for y := x + 1; y < len(recs); y++ {
					a, b := recs[x], recs[y]
					if persons[a] != persons[b] && bits.OnesCount64(photo[a]^photo[b]) <= photoNearBits {
						link(persons[a], persons[b])
					}
				}
			}
		}
	}
}

// photoBandKeys appends the blocking keys of a photo hash's four bands, under which the
// store keeps postings so that one new photo finds its near-duplicates (incremental.go).
func photoBandKeys(photo uint64, out []uint64) []uint64 {
	if photo == 0 {
		return out
	}
	for band := range 4 {
		out = append(out, blockHash("ph", strconv.Itoa(band), strconv.FormatUint(photo>>(16*band)&0xffff, 16)))
	}
	return out
}

const (
	// cvSketchSimilar is the estimated Jaccard similarity (of 5-word shingles) at which
	// two CVs count as one template's siblings; cvSketchWeight what that adds to a pair's
	// evidence: beside one other weak kind (an exit IP, a username) it links, alone it
	// does not. One operator's CVs agree at 0.2 to 0.4 in the generated populations, and
	// unrelated ones near 0; measured on four T1 seeds and a dense population, 0.25 kept
	// most of the ring recall that 0.2 gave at less cost in precision where rings are
	// dense (RESULTS.md, the session notes).
	cvSketchSimilar = 0.25
	cvSketchWeight  = 0.4
)

// similarCVs adds CV similarity to pairs of person clusters: to the pairs that other
// evidence already ties, weak evidence at cvSketchSimilar (two CVs of one template share
// rare phrases, which single LSH bands miss at Jaccard 0.5, DOMAIN.md S45) and strong at
// cvSketchStrong, and below cvSketchSimilar it takes back what their shared LSH bands
// gave (a band is a shortcut to similarity, which is now measured); and strong evidence
// to the pairs nothing else ties whose CVs are that close, found without comparing all
// pairs (nearCVPairs).
func similarCVs(persons []int32, cv map[int32]*cvSketch, pairs map[uint64]*pairEvidence) {
	prepareCVs(persons, cv).link(pairs)
}

// cvPrep is what similarCVs computes from the sketches and the person clusters alone,
// before it looks at the pairs.
type cvPrep struct {
	byPerson map[int32][]*cvSketch
	// common counts the CVs with each value of each minimum.
	common *[ingest.MinHashSize][1 << 16]uint32
	// near holds the person pairs nearCVPairs finds, ascending (a<<32 | b).
	near []uint64
}

func prepareCVs(persons []int32, cv map[int32]*cvSketch) *cvPrep {
	if len(cv) == 0 {
		return nil
	}
	p := &cvPrep{byPerson: make(map[int32][]*cvSketch)}
	// A minimum that many CVs share comes from a template's boilerplate (or a common
	// phrase), not from one operator's copy: it does not count as agreement.
	p.common = new([ingest.MinHashSize][1 << 16]uint32)
	for r, s := range cv {
		p.byPerson[persons[r]] = append(p.byPerson[persons[r]], s)
		for i, v := range s {
			p.common[i][v]++
		}
	}
	// Copies of one template tied by nothing else (evidence_cv.go).
	nearCVPairs(persons, cv, p.common, func(a, b int32) {
		p.near = append(p.near, uint64(a)<<32|uint64(b))
	})
	return p
}

// link weighs the CVs of every pair of person clusters that has evidence, and adds the
// pairs of near-copies tied by nothing else. A nil cvPrep (no CVs) does nothing.
func (p *cvPrep) link(pairs map[uint64]*pairEvidence) {
	if p == nil {
		return
	}
	rare := func(a, b *cvSketch) float64 {
		same := 0
		for i := range a {
			if a[i] == b[i] && p.common[i][a[i]] <= cvBoilerplate {
				same++
			}
		}
		return float64(same) / float64(len(a))
	}
	best := func(a, b int32) float64 {
		s := 0.0
		for _, x := range p.byPerson[a] {
			for _, y := range p.byPerson[b] {
				s = max(s, rare(x, y))
			}
		}
		return s
	}
	// The pairs are weighed on every core: each changes only its own evidence, and
	// nothing else runs in the full run meanwhile. At 1M records, waiting for the CV
	// work and this step took 2.7 to 3.5 s with one core weighing; with both, the wait
	// took 0.04 ms and this step 2.0 s (one run).
	type weighed struct {
		k  uint64
		pe *pairEvidence
	}
	todo := make([]weighed, 0, len(pairs))
	for k, pe := range pairs {
		if pe.byKind[kiCVSketch] == 0 {
			todo = append(todo, weighed{k, pe})
		}
	}
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(todo); i += workers {
				k, pe := todo[i].k, todo[i].pe
				switch s := best(int32(k>>32), int32(k&0xffffffff)); {
				case s >= cvSketchStrong:
					pe.add(kiCVSketch, strongWeight, false)
				case s >= cvSketchSimilar:
					pe.add(kiCVSketch, cvSketchWeight, false)
				default:
					// The sketches, compared whole, find the CVs unlike: the bands they
					// share are chance or a template's and playbook's lines, not an
					// operator's copy.
					pe.drop(kiCVBand)
				}
			}
		})
	}
	wg.Wait()
	for _, k := range p.near {
		if _, tied := pairs[k]; !tied && best(int32(k>>32), int32(k&0xffffffff)) >= cvSketchStrong {
			pairFor(pairs, k).add(kiCVSketch, strongWeight, false)
		}
	}
}

// cvBoilerplate is how many CVs may share a minimum for it to count in similarCVs. A
// 16-bit minimum collides by chance about once per 65,536 CVs, so a million CVs share a
// value some fifteen times at random; templates put hundreds on one. At 30, the ring
// recall the sketches bring was gone too (the generated operators' sibling CVs agree
// through their template's rarer phrases); at 300 the dense population kept most of it
// (ring recall .89) at less cost in precision (.938) than with no suppression (.915).
const cvBoilerplate = 300

// bestSimilarity is the highest similarity between a sketch of a and one of b.
func bestSimilarity(a, b []*cvSketch) float64 {
	best := 0.0
	for _, x := range a {
		for _, y := range b {
			best = max(best, x.similarity(y))
		}
	}
	return best
}

// phoneNumber is one phone number of one record.
type phoneNumber struct {
	n   uint64
	rec int32
}

// sortedPhoneNumbers lists every record's numbers in numeric order (then by record):
// phoneBlocks and phoneBlockRuns walk it.
func sortedPhoneNumbers(phones [][]uint64) []phoneNumber {
	var all []phoneNumber
	for i, ps := range phones {
		for _, n := range ps {
			all = append(all, phoneNumber{n, int32(i)})
		}
	}
	slices.SortFunc(all, func(a, b phoneNumber) int { return cmp.Or(cmp.Compare(a.n, b.n), cmp.Compare(a.rec, b.rec)) })
	return all
}

// phoneBlockRuns returns the runs of numbers, each within phoneBlockSpan of the next,
// held by two or more person clusters: a block of numbers bought together, as evidence
// (kind phoneBlockKind, value "first..last") for the sequential_phones flag.
func phoneBlockRuns(persons []int32, all []phoneNumber) []sharedValue {
	var out []sharedValue
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].n-all[j-1].n <= phoneBlockSpan {
			j++
		}
		run := all[i:j]
		i = j
		if len(run) < 2 || len(run) > maxEvidence || run[0].n == run[len(run)-1].n {
			continue
		}
		var recs, holders []int32
		for _, x := range run {
			recs = append(recs, x.rec)
			holders = append(holders, persons[x.rec])
		}
		if holders = sortedUnique(holders); len(holders) < 2 {
			continue
		}
		out = append(out, sharedValue{kind: phoneBlockKind, value: phoneRange(run[0].n, run[len(run)-1].n),
			records: sortedUnique(recs)})
	}
	return out
}

func phoneRange(lo, hi uint64) string {
	return "+" + strconv.FormatUint(lo, 10) + "..+" + strconv.FormatUint(hi, 10)
}

// phoneBlocks calls link for pairs of person clusters holding numbers at most
// phoneBlockSpan apart (and not equal: equal numbers are exact evidence).
func phoneBlocks(persons []int32, all []phoneNumber, link func(a, b int32)) {
	for i := range all {
		for j := i + 1; j < len(all) && j <= i+maxNearBucket && all[j].n-all[i].n <= phoneBlockSpan; j++ {
			a, b := all[i], all[j]
			if a.n != b.n && persons[a.rec] != persons[b.rec] {
				link(persons[a.rec], persons[b.rec])
			}
		}
	}
}
