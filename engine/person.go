package engine

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// The person layer is classic entity resolution: which records are one human?
//
// Blocking: every record emits keys (exact name, phonetic name with birth year or with
// family initial, postcode with initial, date of birth, and its e-mails, phones and
// documents); records sharing a key are candidates. Keys are 64-bit hashes sorted into
// runs, so there is no all-pairs step and no map of strings. A run longer than maxBlock
// (a common name, an agency's phone) is compared as a sorted neighbourhood: members sorted
// by name, each compared with the next window records only.
//
// Scoring: a Fellegi-Sunter model over six comparison fields. u-probabilities come from
// random record pairs (nearly all non-matches); m-probabilities are priors (see mPrior);
// the prior match probability of two random records comes from a strict rule's count
// (see fitModel). A pair is a match when its posterior probability is at least one half:
// the model's own decision boundary, not a threshold tuned per dataset.
const (
	maxBlock     = 64
	window       = 8
	uSamples     = 200_000
	strictRecall = 0.7
	matchPrior   = 0.5
)

// Comparison fields, each with its agreement levels (0 = strongest agreement).
const (
	fName = iota
	fDOB
	fAddress
	fEmail
	fPhone
	fDoc
	numFields
)

// fieldLevels is the number of levels of each field; a field's value levels[f] itself
// means "missing" (one side has no value): it says nothing either way.
var fieldLevels = [numFields]int{fName: 5, fDOB: 5, fAddress: 3, fEmail: 3, fPhone: 2, fDoc: 2}

// uPrior is what the u-probabilities are believed to be before any data: how often two
// unrelated records agree at each level. It is blended in with uPriorWeight pseudo-pairs,
// which matters only for tiny stores, where random pairs are few and not random.
var uPrior = [numFields][]float64{
	fName:    {0.001, 0.004, 0.01, 0.05, 0.935},
	fDOB:     {0.0005, 0.002, 0.01, 0.02, 0.9675},
	fAddress: {0.001, 0.01, 0.989},
	fEmail:   {0.0005, 0.002, 0.9975},
	fPhone:   {0.0005, 0.9995},
	fDoc:     {0.0005, 0.9995},
}

const uPriorWeight = 1000

// mPrior is how often two records of one human agree at each level. Free EM over m
// settled on "common name, same birth year, different birthday" as the match class on
// RLdata (candidate pairs are mostly such non-matches), so m is held here and EM
// estimates only the match share of the candidates.
var mPrior = [numFields][]float64{
	fName:    {0.60, 0.25, 0.08, 0.05, 0.02},
	fDOB:     {0.80, 0.08, 0.05, 0.04, 0.03},
	fAddress: {0.60, 0.25, 0.15},
	fEmail:   {0.65, 0.10, 0.25},
	fPhone:   {0.70, 0.30},
	fDoc:     {0.95, 0.05},
}

// pattern packs one level per field, 3 bits each.
type pattern uint32

func (p pattern) level(f int) int { return int(p>>(3*f)) & 7 }

func (p *pattern) set(f, l int) { *p |= pattern(l) << (3 * f) }

// compare returns the comparison pattern of two records.
func compare(a, b *features) pattern {
	var p pattern
	p.set(fName, compareName(a, b))
	p.set(fDOB, compareDOB(a.dob, b.dob))
	p.set(fAddress, compareAddress(a, b))
	p.set(fEmail, compareEmails(a.emails, b.emails))
	p.set(fPhone, compareSets(a.phones, b.phones))
	p.set(fDoc, compareSets(a.docs, b.docs))
	return p
}

func compareName(a, b *features) int {
	if a.name == "" || b.name == "" {
		return fieldLevels[fName]
	}
	if a.name == b.name {
		return 0
	}
	sim := tokenSimilarity(a.name, b.name)
	switch {
	case sim >= 0.94 || jaroWinkler(a.name, b.name) >= 0.94:
		return 1
	case sharesAny(a.phonetic, b.phonetic):
		return 2
	case sim >= 0.85 || tokensWithin(a.name, b.name):
		return 3
	}
	return 4
}

// tokenSimilarity compares two token-sorted names token by token: the mean, over the
// tokens of the name with fewer, of each token's best Jaro-Winkler match in the other.
// Comparing the whole strings instead let "berger carsten" pass as similar to "becker
// sven" (a shared prefix and common letters); per token, the given names disagree.
func tokenSimilarity(a, b string) float64 {
	var bufA, bufB [maxNameTokens]string
	ta, tb := appendFields(bufA[:0], a), appendFields(bufB[:0], b)
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	if len(ta) == 0 {
		return 0
	}
	if len(ta) == 1 && len(tb) == 1 {
		return jaroWinkler(ta[0], tb[0])
	}
	sum := 0.0
	for _, x := range ta {
		best := 0.0
		for _, y := range tb {
			best = max(best, jaroWinkler(x, y))
		}
		sum += best
	}
	sim := sum / float64(len(ta))
	if len(ta) != len(tb) {
		sim *= 0.97 // a token missing on one side is a small disagreement in itself
	}
	return sim
}

// tokensWithin reports whether every token of the shorter name is close to a token of
// the longer one: "theodore" and "morris theodore", a name with its family part missing.
func tokensWithin(a, b string) bool {
	var bufA, bufB [maxNameTokens]string
	ta, tb := appendFields(bufA[:0], a), appendFields(bufB[:0], b)
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	if len(ta) == 0 || len(ta) == len(tb) {
		return false
	}
	for _, x := range ta {
		if !slices.ContainsFunc(tb, func(y string) bool { return jaroWinkler(x, y) >= 0.9 }) {
			return false
		}
	}
	return true
}

// maxNameTokens is the most tokens a name has in the common case: tokens fit in a stack
// buffer of this size, and a name with more costs an allocation, not a wrong answer.
// strings.Fields allocated on every one of millions of name comparisons.
const maxNameTokens = 8

// appendFields appends the fields of s (strings.Fields) to dst.
func appendFields(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 { // Unicode spaces: strings.Fields decides
			for f := range strings.FieldsSeq(s) {
				dst = append(dst, f)
			}
			return dst
		}
		space := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		switch {
		case space && start >= 0:
			dst = append(dst, s[start:i])
			start = -1
		case !space && start < 0:
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// compareDOB: 0 equal, 1 one typo or day and month swapped, 2 two digits off, 3 same
// year, 4 different.
func compareDOB(a, b string) int {
	if a == "" || b == "" {
		return fieldLevels[fDOB]
	}
	if a == b && len(a) == 10 {
		return 0
	}
	if len(a) == 10 && len(b) == 10 {
		diff := 0
		for i := range 10 {
			if a[i] != b[i] {
				diff++
			}
		}
		if diff == 1 || a[:4] == b[:4] && a[5:7] == b[8:10] && a[8:10] == b[5:7] {
			return 1
		}
		if diff == 2 {
			return 2
		}
	}
	if len(a) >= 4 && len(b) >= 4 && a[:4] == b[:4] {
		return 3
	}
	return 4
}

// compareEmails: 0 an address in common, 1 two addresses one or two typos apart, 2 none
// alike; missing when either side has none.
func compareEmails(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return fieldLevels[fEmail]
	}
	if sharesAny(a, b) {
		return 0
	}
	for _, x := range a {
		for _, y := range b {
			if emailTypo(x, y) {
				return 1
			}
		}
	}
	return 2
}

// emailTypo reports whether two addresses look like one mailbox mistyped: at most one
// edit apart once separators are ignored, with the same digits. Name-shaped addresses
// of different people differ exactly there ("james.smith" and "james_smith", or
// "jsmith87" and "jsmith90"), so those never count.
func emailTypo(x, y string) bool {
	// Stack buffers: this runs for every pair of e-mails of millions of candidate pairs.
	var bufs [4][64]byte
	lx, dx := stripEmail(x, bufs[0][:0], bufs[1][:0])
	ly, dy := stripEmail(y, bufs[2][:0], bufs[3][:0])
	return string(dx) == string(dy) && string(lx) != string(ly) && editDistanceAtMost(lx, ly, 1)
}

// stripEmail appends the letters of an address to l and its digits to d, leaving out
// separators.
func stripEmail(s string, l, d []byte) (letters, digits []byte) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == '.' || c == '_' || c == '-' || c == '+':
		default:
			l = append(l, c)
		}
	}
	return l, d
}

// editDistanceAtMost reports whether the Levenshtein distance of a and b is at most k.
func editDistanceAtMost[S string | []byte](a, b S, k int) bool {
	if d := len(a) - len(b); d > k || -d > k {
		return false
	}
	var bufs [2][65]int
	prev, cur := bufs[0][:0], bufs[1][:0]
	if len(b) >= len(bufs[0]) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > k {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(b)] <= k
}

func compareAddress(a, b *features) int {
	if len(a.address)+len(a.postcode) == 0 || len(b.address)+len(b.postcode) == 0 {
		return fieldLevels[fAddress]
	}
	switch {
	case sharesAny(a.address, b.address):
		return 0
	case sharesAny(a.postcode, b.postcode):
		return 1
	}
	return 2
}

// compareSets: 0 a value in common, 1 none in common; missing when either side is empty.
func compareSets(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return 2
	}
	if sharesAny(a, b) {
		return 0
	}
	return 1
}

func sharesAny(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// blockingKeys appends the hashed blocking keys of one record.
func blockingKeys(f *features, out []uint64) []uint64 {
	out = nameBlockingKeys(f, out)
	for _, v := range f.emails {
		out = append(out, blockHash("e", v))
	}
	for _, v := range f.phones {
		out = append(out, blockHash("t", v))
	}
	for _, v := range f.docs {
		out = append(out, blockHash("s", v))
	}
	return out
}

// blockHash hashes the parts of one blocking key.
func blockHash(parts ...string) uint64 {
	d := fnv.New64a()
	for _, p := range parts {
		d.Write([]byte(p))
		d.Write([]byte{0})
	}
	return d.Sum64()
}

// nameBlockingKeys appends the blocking keys that are not identifiers themselves (name,
// phonetic name with birth year, postcode with initial, date of birth): the store keeps
// postings for these, and for identifiers it has its own.
func nameBlockingKeys(f *features, out []uint64) []uint64 {
	h := func(parts ...string) { out = append(out, blockHash(parts...)) }
	year, ini := f.birthYear(), f.initial()
	if f.name != "" {
		h("n", f.name)
	}
	for _, p := range f.phonetic {
		if strings.HasPrefix(p, "dmf:") {
			h("f", p)
		}
		if year != "" {
			h("p", p, year)
		}
	}
	for _, pc := range f.postcode {
		h("c", pc, ini)
	}
	if len(f.dob) == 10 {
		h("d", f.dob)
	}
	return out
}

// blockingKeyCount is how many keys blockingKeys appends for f.
func blockingKeyCount(f *features) int {
	n := len(f.postcode) + len(f.emails) + len(f.phones) + len(f.docs)
	if f.name != "" {
		n++
	}
	year := f.birthYear() != ""
	for _, p := range f.phonetic {
		if strings.HasPrefix(p, "dmf:") {
			n++
		}
		if year {
			n++
		}
	}
	if len(f.dob) == 10 {
		n++
	}
	return n
}

// candidatePairs returns the distinct candidate pairs (i < j, packed i<<32|j), sorted.
func candidatePairs(fs []features) []uint64 {
	type entry struct {
		key uint64
		rec int32
	}
	// Sized up front: at a million records the entries and pairs are hundreds of MB, and
	// growing them by append left as much again behind as garbage.
	n := 0
	for i := range fs {
		n += blockingKeyCount(&fs[i])
	}
	entries := make([]entry, 0, n)
	var keys []uint64
	for i := range fs {
		keys = blockingKeys(&fs[i], keys[:0])
		for _, k := range keys {
			entries = append(entries, entry{k, int32(i)})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.rec - b.rec)
	})
	runs := func(fn func(run []int32)) {
		var run []int32
		for i := 0; i < len(entries); {
			j := i
			run = run[:0]
			for j < len(entries) && entries[j].key == entries[i].key {
				run = append(run, entries[j].rec)
				j++
			}
			i = j
			fn(run)
		}
	}
	most := 0
	runs(func(run []int32) {
		if r := len(run); r <= maxBlock {
			most += r * (r - 1) / 2
		} else {
			most += r * window
		}
	})
	pairs := make([]uint64, 0, most)
	add := func(a, b int32) {
		if a > b {
			a, b = b, a
		}
		if a != b {
			pairs = append(pairs, uint64(a)<<32|uint64(b))
		}
	}
	runs(func(run []int32) {
		if len(run) <= maxBlock {
			for x := range run {
				for y := x + 1; y < len(run); y++ {
					add(run[x], run[y])
				}
			}
			return
		}
		slices.SortFunc(run, func(a, b int32) int { return strings.Compare(fs[a].name, fs[b].name) })
		for x := range run {
			for y := x + 1; y < len(run) && y <= x+window; y++ {
				add(run[x], run[y])
			}
		}
	})
	entries = nil
	slices.Sort(pairs)
	return slices.Compact(pairs)
}

// fsModel is a fitted Fellegi-Sunter model.
type fsModel struct {
	m, u   [numFields][8]float64
	lambda float64 // share of candidate pairs that match
}

// posterior is the probability that a pair with this pattern is a match.
func (md *fsModel) posterior(p pattern) float64 {
	lm, lu := math.Log(md.lambda), math.Log(1-md.lambda)
	for f := range numFields {
		l := p.level(f)
		if l == fieldLevels[f] {
			continue
		}
		lm += math.Log(md.m[f][l])
		lu += math.Log(md.u[f][l])
	}
	return 1 / (1 + math.Exp(lu-lm))
}

// posteriorTF is posterior with the exact-name u raised to the name's frequency tf.
func (md *fsModel) posteriorTF(p pattern, tf float64) float64 {
	post := md.posterior(p)
	u0 := md.u[fName][0]
	if tf <= u0 || post <= 0 || post >= 1 {
		return post
	}
	// Shift the log odds by the change in the name's Bayes factor.
	logOdds := math.Log(post/(1-post)) - math.Log(tf/u0)
	return 1 / (1 + math.Exp(-logOdds))
}

// fitModel estimates u from random pairs and m and lambda by EM over the candidate
// patterns. rng makes the u sample reproducible.
func fitModel(fs []features, counts map[pattern]float64, rng *rand.Rand) *fsModel {
	md := &fsModel{lambda: 0.1}
	// u: level frequencies among random pairs (every pair when there are few), blended
	// with the prior.
	var uc [numFields][8]float64
	observe := func(i, j int) {
		p := compare(&fs[i], &fs[j])
		for f := range numFields {
			if l := p.level(f); l < fieldLevels[f] {
				uc[f][l]++
			}
		}
	}
	if n := len(fs); n*(n-1)/2 <= uSamples {
		for i := range n {
			for j := i + 1; j < n; j++ {
				observe(i, j)
			}
		}
	} else {
		for range uSamples {
			if i, j := rng.IntN(n), rng.IntN(n); i != j {
				observe(i, j)
			}
		}
	}
	for f := range numFields {
		total := 0.0
		for l := range fieldLevels[f] {
			total += uc[f][l] + uPriorWeight*uPrior[f][l]
		}
		for l := range fieldLevels[f] {
			md.u[f][l] = (uc[f][l] + uPriorWeight*uPrior[f][l]) / total
			md.m[f][l] = mPrior[f][l]
		}
	}
	// lambda: the chance that two random records match, from the pairs a strict rule
	// accepts (near-identical name plus one exact identifier or birthday), divided by the
	// rule's assumed recall. The posterior of a candidate pair then weighs its evidence
	// against this tiny prior: blocking chose the pair, but it did not make it likely.
	strict := 0.0
	for p, c := range counts {
		if p.level(fName) <= 1 && (p.level(fDOB) == 0 || p.level(fAddress) == 0 ||
			p.level(fEmail) == 0 || p.level(fPhone) == 0 || p.level(fDoc) == 0) {
			strict += c
		}
	}
	n := float64(len(fs))
	if all := n * (n - 1) / 2; all > 0 {
		md.lambda = clamp(max(strict/strictRecall, 1)/all, 1e-12, 0.5)
	}
	// Random pairs are not all non-matches: a share lambda of them match, and matches
	// agree far more often. Left in, they inflate u for the agreeing levels of strong
	// identifiers (a shared e-mail looked a hundred times less telling than it is).
	for f := range numFields {
		for l := range fieldLevels[f] {
			obs := md.u[f][l]
			md.u[f][l] = max((obs-md.lambda*md.m[f][l])/(1-md.lambda), obs*0.05)
		}
		normalise(md.u[f][:fieldLevels[f]])
	}
	// Addresses are shared by households, flatmates and co-working members, whose names
	// are often alike too: the fields are not independent there, so an address match
	// may support a name but must not stand in for one.
	for l, maxBF := range addressMaxBF {
		md.u[fAddress][l] = max(md.u[fAddress][l], md.m[fAddress][l]/maxBF)
	}
	return md
}

// addressMaxBF caps the Bayes factor of address agreement (same address key, same
// postcode).
var addressMaxBF = []float64{1000, 50}

func normalise(v []float64) {
	s := 0.0
	for _, x := range v {
		s += x
	}
	for i := range v {
		v[i] /= s
	}
}

func clamp(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }

// comparePairs returns the comparison pattern of each pair, comparing on up to workers
// goroutines: comparing is most of the person layer's time, and each pair's pattern
// depends on that pair alone, so the result is the same for any number of workers.
func comparePairs(fs []features, pairs []uint64, workers int) []pattern {
	pats := make([]pattern, len(pairs))
	const chunk = 1 << 14
	workers = max(1, min(workers, (len(pairs)+chunk-1)/chunk))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(pairs) {
					return
				}
				for k := lo; k < min(lo+chunk, len(pairs)); k++ {
					pr := pairs[k]
					pats[k] = compare(&fs[pr>>32], &fs[pr&0xffffffff])
				}
			}
		})
	}
	wg.Wait()
	return pats
}

// linkPersons runs the person layer and unions matched pairs into uf. It returns the
// fitted model and the number of pairs compared and matched, for the log.
func linkPersons(fs []features, uf *unionFind, rng *rand.Rand) (md *fsModel, compared, matched int) {
	pairs := candidatePairs(fs)
	pats := comparePairs(fs, pairs, runtime.GOMAXPROCS(0))
	counts := make(map[pattern]float64)
	for _, p := range pats {
		counts[p]++
	}
	md = fitModel(fs, counts, rng)
	// Term frequency: an exact match on a common name is weaker evidence than on a rare
	// one. The exact-name u becomes the name's own frequency where that is higher.
	nameCount := make(map[string]int32)
	for i := range fs {
		if fs[i].name != "" {
			nameCount[fs[i].name]++
		}
	}
	n := float64(len(fs))
	accept := make(map[pattern]bool, len(counts))
	for p := range counts {
		accept[p] = md.posterior(p) >= matchPrior
	}
	for k, pr := range pairs {
		p := pats[k]
		ok := accept[p]
		if ok && p.level(fName) == 0 {
			tf := float64(nameCount[fs[pr>>32].name]) / n
			ok = md.posteriorTF(p, tf) >= matchPrior
		}
		if ok {
			uf.union(int32(pr>>32), int32(pr&0xffffffff))
			matched++
		}
	}
	return md, len(pairs), matched
}
