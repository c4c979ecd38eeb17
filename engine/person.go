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
// random record pairs (nearly all non-matches); m-probabilities are estimated by EM over
// the candidate pairs, starting from and blended with priors (see mPrior, estimateM);
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
var fieldLevels = [numFields]int{fName: 6, fDOB: 5, fAddress: 4, fEmail: 3, fPhone: 3, fDoc: 3}

// uPrior is what the u-probabilities are believed to be before any data: how often two
// unrelated records agree at each level. It is blended in with uPriorWeight pseudo-pairs,
// which matters only for tiny stores, where random pairs are few and not random.
var uPrior = [numFields][]float64{
	fName:    {0.001, 0.004, 0.01, 0.03, 0.05, 0.905},
	fDOB:     {0.0005, 0.002, 0.01, 0.02, 0.9675},
	fAddress: {0.001, 0.002, 0.01, 0.987},
	fEmail:   {0.0005, 0.002, 0.9975},
	fPhone:   {0.0005, 0.0005, 0.999},
	fDoc:     {0.0005, 0.0005, 0.999},
}

const uPriorWeight = 1000

// mPrior is how often two records of one human are believed to agree at each level
// before any data: EM starts from it and blends it in (estimateM).
//
// The typo levels of phones and documents (a digit or two off, two digits swapped) are
// rare for one person but rarer still by chance; their m is kept low because numbers
// handed out in a sequence (a ring's block of phones) are also a digit apart.
var mPrior = [numFields][]float64{
	fName:    {0.60, 0.25, 0.07, 0.04, 0.025, 0.015},
	fDOB:     {0.80, 0.08, 0.05, 0.04, 0.03},
	fAddress: {0.55, 0.15, 0.15, 0.15},
	fEmail:   {0.65, 0.10, 0.25},
	fPhone:   {0.70, 0.03, 0.27},
	fDoc:     {0.93, 0.04, 0.03},
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
	p.set(fPhone, compareNumbers(a.phones, b.phones))
	p.set(fDoc, compareNumbers(a.docs, b.docs))
	return p
}

// compareName: 0 equal, 1 very similar, 2 same phonetic code, 3 similar, 4 a token in
// common with the others unlike ("sophie wiseman" and "mystique wiseman": a given name
// replaced, or a relative), 5 different.
func compareName(a, b *features) int {
	if a.name == "" || b.name == "" {
		return fieldLevels[fName]
	}
	if a.name == b.name {
		return 0
	}
	sim, worst, agree := tokenSimilarity(a.name, b.name)
	switch {
	case sim >= 0.94 && worst >= tokenAgree || jaroWinkler(a.name, b.name) >= 0.94 && tokenCount(a.name) != tokenCount(b.name):
		// Every token typed alike. The whole strings are compared only where the tokens
		// do not pair up ("mac indoe", "macindoe"): a family name in common made "bauer
		// karin" and "bauer martin" very similar as wholes.
		return 1
	case sharesWholeName(a.phonetic, b.phonetic):
		return 2
	case sim >= 0.85 && worst >= similarToken || tokensWithin(a.name, b.name):
		return 3
	case agree:
		return 4
	}
	return 5
}

// sharesWholeName reports whether two records share a phonetic code of the whole name
// ("dm:", "ny:"). The family-name keys ("dmf:SNTR/j") are left out: they are blocking
// keys, and "jutta schneider" and "juergen schneider" share one.
func sharesWholeName(a, b []string) bool {
	for _, x := range a {
		if !strings.HasPrefix(x, "dmf:") && slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// tokenAgree is the Jaro-Winkler similarity at which two name tokens count as the same
// token typed twice; similarToken is the least similarity of every token pair of two
// names that count as similar: a mean of 0.85 let a surname in common carry a given name
// as unlike as "guenther" and "renate".
const (
	tokenAgree   = 0.92
	similarToken = 0.8
)

// tokenSimilarity compares two token-sorted names token by token: each token of the name
// with fewer is paired with a distinct token of the other, most similar pairs first; sim
// is the mean Jaro-Winkler similarity of the pairs, worst the least, and agree says
// whether some pair is at least tokenAgree. Comparing the whole strings instead let "berger carsten" pass as
// similar to "becker sven" (a shared prefix and common letters); letting two tokens pair
// with one made "karin martin" similar to "karin krause" (martin is close to karin).
func tokenSimilarity(a, b string) (sim, worst float64, agree bool) {
	var bufA, bufB [maxNameTokens]string
	ta, tb := appendFields(bufA[:0], a), appendFields(bufB[:0], b)
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	if len(ta) == 0 {
		return 0, 0, false
	}
	if len(ta) == 1 && len(tb) == 1 {
		s := jaroWinkler(ta[0], tb[0])
		return s, s, s >= tokenAgree
	}
	if len(tb) > maxNameTokens {
		tb = tb[:maxNameTokens]
		ta = ta[:min(len(ta), maxNameTokens)]
	}
	var sims [maxNameTokens][maxNameTokens]float64
	for i, x := range ta {
		for j, y := range tb {
			sims[i][j] = jaroWinkler(x, y)
		}
	}
	// Greedy assignment: at most 8 tokens a side, and names rarely have more than 3.
	var usedA, usedB [maxNameTokens]bool
	sum := 0.0
	worst = 1
	for range ta {
		bi, bj, best := -1, -1, -1.0
		for i := range ta {
			if usedA[i] {
				continue
			}
			for j := range tb {
				if !usedB[j] && sims[i][j] > best {
					bi, bj, best = i, j, sims[i][j]
				}
			}
		}
		usedA[bi], usedB[bj] = true, true
		sum += best
		worst = min(worst, best)
		agree = agree || best >= tokenAgree
	}
	sim = sum / float64(len(ta))
	if len(ta) != len(tb) {
		sim *= 0.97 // a token missing on one side is a small disagreement in itself
	}
	return sim, worst, agree
}

// tokenCount is the number of tokens of a name.
func tokenCount(s string) int {
	var buf [maxNameTokens]string
	return len(appendFields(buf[:0], s))
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

// compareDOB: 0 equal, 1 one typo, two adjacent digits swapped ("1940" and "1490") or
// day and month swapped, 2 two digits off, 3 same year, 4 different.
func compareDOB(a, b string) int {
	if a == "" || b == "" {
		return fieldLevels[fDOB]
	}
	if a == b && len(a) == 10 {
		return 0
	}
	a, b = padDOB(a), padDOB(b)
	if len(a) == 10 && len(b) == 10 {
		diff, first := 0, -1
		for i := range 10 {
			if a[i] != b[i] {
				if diff == 0 {
					first = i
				}
				diff++
			}
		}
		swapped := diff == 2 && first < 9 && a[first] == b[first+1] && a[first+1] == b[first]
		if diff == 1 || swapped || a[:4] == b[:4] && a[5:7] == b[8:10] && a[8:10] == b[5:7] {
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

// padDOB writes a date the normaliser kept as raw text because a part is out of range
// ("1982-1-0", "1967-0-1": a day or month keyed as zero) as YYYY-MM-DD, so that it is
// compared digit by digit with the others; anything else is returned as it is. Only such
// rare values pay for the new string.
func padDOB(s string) string {
	if len(s) == 10 || len(s) < 8 || s[4] != '-' {
		return s
	}
	m, d, ok := strings.Cut(s[5:], "-")
	if !ok || len(m) == 0 || len(m) > 2 || len(d) == 0 || len(d) > 2 || !allDigits(s[:4]) || !allDigits(m) || !allDigits(d) {
		return s
	}
	pad := func(x string) string {
		if len(x) == 1 {
			return "0" + x
		}
		return x
	}
	return s[:5] + pad(m) + "-" + pad(d)
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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
	if anyPair(a, b, emailTypo) {
		return 1
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

// compareAddress: 0 an address in common, 1 an address alike but for a typo in the
// street or the postcode, 2 a postcode in common, 3 none alike; missing when either side
// has neither an address nor a postcode.
func compareAddress(a, b *features) int {
	if len(a.address)+len(a.postcode) == 0 || len(b.address)+len(b.postcode) == 0 {
		return fieldLevels[fAddress]
	}
	if sharesAny(a.address, b.address) {
		return 0
	}
	if anyPair(a.address, b.address, addressTypo) {
		return 1
	}
	if sharesAny(a.postcode, b.postcode) {
		return 2
	}
	return 3
}

// addressTypo reports whether two address keys (country|postcode|house|unit|street) are
// one address written with a typo: the same country, house and unit, streets with a
// Jaro-Winkler similarity of at least 0.9, and postcodes equal, one edit apart or
// missing on a side. The house number must agree: neighbours share the rest.
func addressTypo(x, y string) bool {
	var px, py [5]string
	if !splitAddressKey(x, &px) || !splitAddressKey(y, &py) {
		return false
	}
	if px[0] != py[0] || px[2] != py[2] || px[3] != py[3] || px[4] == "" || py[4] == "" {
		return false
	}
	if px[1] != py[1] && px[1] != "" && py[1] != "" && !editDistanceAtMost(px[1], py[1], 1) {
		return false
	}
	return jaroWinkler(px[4], py[4]) >= 0.9
}

// splitAddressKey splits an address key into its five parts without allocating.
func splitAddressKey(k string, parts *[5]string) bool {
	for i := range 4 {
		j := strings.IndexByte(k, '|')
		if j < 0 {
			return false
		}
		parts[i], k = k[:j], k[j+1:]
	}
	parts[4] = k
	return true
}

// compareNumbers compares phones or documents: 0 a value in common, 1 two values a typo
// apart (numberTypo), 2 none alike; missing when either side is empty.
func compareNumbers(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return 3
	}
	if sharesAny(a, b) {
		return 0
	}
	if anyPair(a, b, numberTypo) {
		return 1
	}
	return 2
}

// numberTypo reports whether two identifiers look like one number mistyped: of equal
// length with one or two characters different (a slip, or two digits swapped; two only
// from 7 characters on, where two random numbers rarely come that close), or one
// character inserted or dropped.
func numberTypo(x, y string) bool {
	if len(x) == len(y) {
		diff := 0
		for i := 0; i < len(x) && diff <= 2; i++ {
			if x[i] != y[i] {
				diff++
			}
		}
		return diff == 1 || diff == 2 && len(x) >= 7
	}
	return editDistanceAtMost(x, y, 1)
}

// anyPair reports whether some value of a and some value of b are alike by alike.
func anyPair(a, b []string, alike func(x, y string) bool) bool {
	for _, x := range a {
		for _, y := range b {
			if alike(x, y) {
				return true
			}
		}
	}
	return false
}

// sharesAny reports whether a and b have a value in common.
func sharesAny[T comparable](a, b []T) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// blockingKeys appends the hashed blocking keys of one record.
func blockingKeys(f *features, out []uint64) []uint64 {
	k := keySink{out: out}
	k.allKeys(f)
	return k.out
}

// blockingKeyCount is how many keys blockingKeys appends for f, without hashing them:
// candidatePairs sizes its arrays with it before filling them.
func blockingKeyCount(f *features) int {
	k := keySink{counting: true}
	k.allKeys(f)
	return k.n
}

// keySink receives blocking keys as their parts: it hashes them onto out, or with
// counting only counts them, so that one definition of the keys serves both.
type keySink struct {
	out      []uint64
	n        int
	counting bool
}

func (k *keySink) add(parts ...string) {
	if k.counting {
		k.n++
		return
	}
	k.out = append(k.out, blockHash(parts...))
}

// allKeys gives every blocking key of a record: the name keys, then its e-mails, phones
// and documents.
func (k *keySink) allKeys(f *features) {
	k.nameKeys(f)
	for _, v := range f.emails {
		k.add("e", v)
	}
	for _, v := range f.phones {
		k.add("t", v)
	}
	for _, v := range f.docs {
		k.add("s", v)
	}
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
// phonetic name with birth year, postcode with initial, date of birth, and the keys that
// find records with a typo in one of those): the store keeps postings for these, and for
// identifiers it has its own. The exact name key comes first (incremental linking counts
// a name's holders from it).
//
// The typo keys: each name token's phonetic code with the birth year (a pair with one
// name token mangled and its whole-name codes apart) and an e-mail's local part (a typo
// in the domain). Two more were tried and left out: each token's code with the
// postcode found a handful of pairs on the noisiest benchmark for a third more keys on
// the generated population, and the house and street without the postcode mostly paired
// flatmates of different initials, whom the postcode-and-initial key keeps apart.
func nameBlockingKeys(f *features, out []uint64) []uint64 {
	k := keySink{out: out}
	k.nameKeys(f)
	return k.out
}

func (k *keySink) nameKeys(f *features) {
	h := k.add
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
	var buf [2 * maxNameTokens]string
	if year != "" {
		for _, code := range tokenCodes(f, buf[:0]) {
			h("tp", code, year)
		}
	}
	for _, e := range f.emails {
		if at := strings.LastIndexByte(e, '@'); at > 0 {
			h("el", e[:at])
		}
	}
}

// tokenCodes appends the distinct Double Metaphone codes of a record's name tokens, read
// from its whole-name "dm:" keys ("dm:JN|SM0" holds "JN" and "SM0").
func tokenCodes(f *features, dst []string) []string {
	for _, p := range f.phonetic {
		codes, ok := strings.CutPrefix(p, "dm:")
		if !ok {
			continue
		}
		for c := range strings.SplitSeq(codes, "|") {
			if c != "" && !slices.Contains(dst, c) {
				dst = append(dst, c)
			}
		}
	}
	return dst
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
	entryCmp := func(a, b entry) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.rec - b.rec)
	}
	sortInTwo(entries, func(a, b entry) bool { return entryCmp(a, b) < 0 }, func(s []entry) { slices.SortFunc(s, entryCmp) })
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
	sortInTwo(pairs, func(a, b uint64) bool { return a < b }, slices.Sort[[]uint64])
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
	// A household shares its address and often its landline, and its members' names
	// share at most a family name. Where the names are not alike (a token in common at
	// best), the address counts no more than a shared postcode, and a phone shared at
	// that address counts nothing: the address and its landline are one piece of
	// evidence about where someone lives, not about who they are. Counted in full, they
	// made "maria lopez" and "kayla lopez" at one address with one phone a single person.
	if a, nl := p.level(fAddress), p.level(fName); a <= 1 && nl >= 4 && nl < fieldLevels[fName] {
		if ba, most := math.Log(md.m[fAddress][a]/md.u[fAddress][a]), math.Log(addressMaxBF[2]); ba > most {
			lm -= ba - most
		}
		if p.level(fPhone) == 0 {
			if bp := math.Log(md.m[fPhone][0] / md.u[fPhone][0]); bp > 0 {
				lm -= bp
			}
		}
	}
	return 1 / (1 + math.Exp(lu-lm))
}

// stolenIdentity reports whether a pair the model matches looks like a persona built on
// someone else's identity rather than one person applying twice (DOMAIN.md,
// identity_victim_vs_persona): it may agree on what can be copied from a victim (name,
// date of birth, address, document), but both the e-mails and the phones, by which an
// applicant is reached, are given and differ, and only one side shows an operator's
// signal (hubSignals: camera off, VoIP, remote tools, money-service or third-party
// payout, a device clock in a risk time zone on a record claiming to be elsewhere). The
// victim's own records rarely do; a persona's reach its operator, not the victim.
func stolenIdentity(p pattern, a, b uint32) bool {
	if p.level(fEmail) != 2 || p.level(fPhone) != 2 {
		return false
	}
	return (a&hubSignals != 0) != (b&hubSignals != 0)
}

// separateChannels reports whether two records that the model matches were made by
// different people sharing a name and a home (roommates or relatives of one name, a
// persona on a stolen identity): of their contact channels (e-mail, phone, device), at
// least two are given on both sides, every one given on both sides differs (no device in
// common), and their dates of birth and documents do not agree (missing or different).
// One human applying twice reuses a mailbox, a number or a machine. Two channels suffice:
// an application without a phone (generated T1 seed 5: two "James Lewandowski" at one
// flat, each with his own mailbox and laptop) was matched on the rare name alone.
func separateChannels(p pattern, a, b *features) bool {
	if p.level(fDOB) == 0 || p.level(fDoc) == 0 {
		return false
	}
	given := 0
	for _, f := range []int{fEmail, fPhone} {
		switch p.level(f) {
		case 2: // both given, none alike
			given++
		case fieldLevels[f]: // missing on a side
		default: // equal, or a typo apart
			return false
		}
	}
	if a.devices[0] != 0 && b.devices[0] != 0 {
		for _, x := range a.devices {
			if x != 0 && (x == b.devices[0] || x == b.devices[1]) {
				return false
			}
		}
		given++
	}
	return given >= 2
}

// keptApart names the rule, if any, that keeps two records the model matches in separate
// person clusters: "stolen_identity" (stolenIdentity) or "separate_channels"
// (separateChannels); "" when none applies. The full run, the incremental linker and
// explain all ask it.
func keptApart(p pattern, sigA, sigB uint32, a, b *features) string {
	switch {
	case stolenIdentity(p, sigA, sigB):
		return "stolen_identity"
	case separateChannels(p, a, b):
		return "separate_channels"
	}
	return ""
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
	// accepts (a near-identical or same-sounding name plus one exact identifier or
	// birthday), divided by the rule's assumed recall. The posterior of a candidate pair then weighs its evidence
	// against this tiny prior: blocking chose the pair, but it did not make it likely.
	strict := 0.0
	for p, c := range counts {
		if p.level(fName) <= 2 && (p.level(fDOB) == 0 || p.level(fAddress) == 0 ||
			p.level(fEmail) == 0 || p.level(fPhone) == 0 || p.level(fDoc) == 0) {
			strict += c
		}
	}
	n := float64(len(fs))
	if all := n * (n - 1) / 2; all > 0 {
		md.lambda = clamp(max(strict/strictRecall, 1)/all, 1e-12, 0.5)
	}
	uObs := md.u
	md.correctU(&uObs)
	estimateM(md, &uObs, counts)
	return md
}

// correctU sets u from the level frequencies observed among random pairs, uObs, and the
// current m.
func (md *fsModel) correctU(uObs *[numFields][8]float64) {
	// Random pairs are not all non-matches: a share lambda of them match, and matches
	// agree far more often. Left in, they inflate u for the agreeing levels of strong
	// identifiers (a shared e-mail looked a hundred times less telling than it is).
	for f := range numFields {
		for l := range fieldLevels[f] {
			obs := uObs[f][l]
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
	// Two numbers a digit apart are rarely one person's by chance, so their u is tiny and
	// the level would weigh like a shared number; but a ring's phones come in blocks
	// bought together, one digit apart, and those must not make two personas one person.
	for _, f := range []int{fPhone, fDoc} {
		md.u[f][1] = max(md.u[f][1], md.m[f][1]/typoMaxBF)
	}
}

// typoMaxBF caps the Bayes factor of a phone or document a typo apart.
const typoMaxBF = 1000

// addressMaxBF caps the Bayes factor of address agreement (same address key, one a typo
// of the other, same postcode).
var addressMaxBF = []float64{1000, 300, 50}

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
func linkPersons(fs []features, signals []uint32, uf *unionFind, rng *rand.Rand) (md *fsModel, compared, matched int) {
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
	var deferred []int // pairs the model accepts but the name's frequency rejected
	for k, pr := range pairs {
		p := pats[k]
		a, b := int32(pr>>32), int32(pr&0xffffffff)
		ok := accept[p] && keptApart(p, signals[a], signals[b], &fs[a], &fs[b]) == ""
		if ok && p.level(fName) == 0 {
			tf := float64(nameCount[fs[a].name]) / n
			if ok = md.posteriorTF(p, tf) >= matchPrior; !ok {
				deferred = append(deferred, k)
			}
		}
		if ok {
			uf.union(a, b)
			matched++
		}
	}
	matched += relinkByOtherHolders(fs, uf, md, pairs, pats, deferred, nameCount)
	return md, len(pairs), matched
}

// relinkByOtherHolders decides again the exact-name pairs that the name's frequency
// rejected, now counting only the holders of the name outside the largest person cluster
// holding it. In a store where one person sent six records under a name no one else
// holds, the name is not common: the chance that a record of another person bears it is
// what the term-frequency u means, and the first pass counted the person's own records.
// It returns the pairs it matched.
func relinkByOtherHolders(fs []features, uf *unionFind, md *fsModel, pairs []uint64, pats []pattern,
	deferred []int, nameCount map[string]int32) int {
	if len(deferred) == 0 {
		return 0
	}
	// Records per (name, cluster) for the names in question only.
	type nameRoot struct {
		name string
		root int32
	}
	held := make(map[nameRoot]int32)
	names := make(map[string]int32, len(deferred)) // name -> records in its largest cluster
	for _, k := range deferred {
		names[fs[pairs[k]>>32].name] = 0
	}
	for i := range fs {
		if _, ok := names[fs[i].name]; ok {
			key := nameRoot{fs[i].name, uf.find(int32(i))}
			held[key]++
			names[key.name] = max(names[key.name], held[key])
		}
	}
	n := float64(len(fs))
	matched := 0
	for _, k := range deferred {
		a, b := int32(pairs[k]>>32), int32(pairs[k]&0xffffffff)
		name := fs[a].name
		tf := float64(nameCount[name]-names[name]) / n
		if md.posteriorTF(pats[k], tf) >= matchPrior {
			uf.union(a, b)
			matched++
		}
	}
	return matched
}
