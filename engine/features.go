package engine

import (
	"context"
	"hash/fnv"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/personagraph/personagraph/ingest"
)

// features is what the person layer compares about one record, read from the stored
// identifiers (never from record JSON).
type features struct {
	name     string   // folded, token-sorted name (the plain name_key)
	phonetic []string // phonetic name_keys ("dm:...", "ny:...")
	dob      string   // ISO date, possibly partial ("1994-06", "1994")
	postcode []string
	address  []string
	emails   []string
	phones   []string
	docs     []string
	photo    uint64 // 64-bit perceptual hash; 0 when none
	cv       *cvSketch
	// devices holds hashes of the record's first two device fingerprints (0: none): the
	// person layer asks whether two records were made on one machine (separateChannels).
	devices [2]uint64
}

// cvSketch is a CV's whole MinHash signature, 16 bits a minimum (ingest.KindCVSketch).
type cvSketch [ingest.MinHashSize]uint16

func parseCVSketch(v string) *cvSketch {
	sk, ok := ingest.ParseCVSketch(v)
	if !ok {
		return nil
	}
	return (*cvSketch)(&sk)
}

// similarity is the share of minima two sketches agree on: an estimate of the Jaccard
// similarity of the two CVs' shingles.
func (a *cvSketch) similarity(b *cvSketch) float64 {
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

// loadFeatures reads every record's comparison features; index maps record ids to the
// dense ids of this run.
func (e *Engine) loadFeatures(ctx context.Context, index map[string]int32) ([]features, error) {
	fs := make([]features, len(index))
	var ld featureLoader
	var cur *features
	last := ""
	err := e.store.ForEachIdentifierKey(ctx, func(id string, kind ingest.Kind, value []byte) error {
		if id != last {
			ld.flush(cur)
			last = id
			i, ok := index[id]
			if !ok {
				cur = nil // stored after the id list was read; the next run sees it
				return nil
			}
			cur = &fs[i]
		}
		if cur != nil {
			ld.add(cur, kind, value)
		}
		return nil
	})
	ld.flush(cur)
	return fs, err
}

// featureLoader gathers the string values of one record's features and stores them in
// one allocation, and their lists in another: a string and a list growing by append per
// value made the features of a million records several times their size in small
// objects.
type featureLoader struct {
	buf  []byte
	vals []pendingValue
}

// pendingValue is a value in featureLoader.buf, from the previous one's end to end.
type pendingValue struct {
	kind ingest.Kind
	end  int
	list bool // goes to one of the features' lists
}

func (ld *featureLoader) add(cur *features, kind ingest.Kind, v []byte) {
	switch kind {
	case ingest.KindNameKey, ingest.KindDOB, ingest.KindPostcode, ingest.KindAddress,
		ingest.KindEmail, ingest.KindPhone, ingest.KindDocument:
		ld.buf = append(ld.buf, v...)
		list := kind != ingest.KindDOB && (kind != ingest.KindNameKey || hasColon(v))
		ld.vals = append(ld.vals, pendingValue{kind, len(ld.buf), list})
	default:
		cur.addBytes(kind, v)
	}
}

// flush adds the gathered values to cur, as addValue in the order read.
func (ld *featureLoader) flush(cur *features) {
	if cur == nil || len(ld.vals) == 0 {
		ld.buf, ld.vals = ld.buf[:0], ld.vals[:0]
		return
	}
	all := string(ld.buf)
	n := 0
	for _, v := range ld.vals {
		if v.list {
			n++
		}
	}
	var backing []string
	if n > 0 {
		backing = make([]string, 0, n)
	}
	// Each list gets its part of backing, sized to its count, so appends fill it in
	// place; a list with no values stays nil.
	lists := [...]*[]string{&cur.phonetic, &cur.postcode, &cur.address, &cur.emails, &cur.phones, &cur.docs}
	var counts [len(lists)]int
	for _, v := range ld.vals {
		if v.list {
			counts[listOf(v.kind)]++
		}
	}
	off := 0
	for i, l := range lists {
		if counts[i] > 0 && len(*l) == 0 {
			*l = backing[off : off : off+counts[i]]
			off += counts[i]
		}
	}
	start := 0
	for _, v := range ld.vals {
		addValue(cur, v.kind, all[start:v.end])
		start = v.end
	}
	ld.buf, ld.vals = ld.buf[:0], ld.vals[:0]
}

// listOf is the index, in featureLoader.flush's lists, of the list a value of kind goes
// to.
func listOf(kind ingest.Kind) int {
	switch kind {
	case ingest.KindNameKey:
		return 0
	case ingest.KindPostcode:
		return 1
	case ingest.KindAddress:
		return 2
	case ingest.KindEmail:
		return 3
	case ingest.KindPhone:
		return 4
	}
	return 5
}

// add records one identifier in the features.
func (cur *features) add(kind ingest.Kind, v string) { addValue(cur, kind, v) }

// addBytes is add for a value valid only during the call (read from the store): it is
// copied only for the kinds the features keep.
func (cur *features) addBytes(kind ingest.Kind, v []byte) { addValue(cur, kind, v) }

func addValue[S string | []byte](cur *features, kind ingest.Kind, v S) {
	switch kind {
	case ingest.KindNameKey:
		if hasColon(v) {
			cur.phonetic = append(cur.phonetic, string(v))
		} else if cur.name == "" || len(v) > len(cur.name) {
			cur.name = string(v)
		}
	case ingest.KindDOB:
		cur.dob = string(v)
	case ingest.KindPostcode:
		cur.postcode = append(cur.postcode, string(v))
	case ingest.KindAddress:
		cur.address = append(cur.address, string(v))
	case ingest.KindEmail:
		cur.emails = append(cur.emails, string(v))
	case ingest.KindPhone:
		cur.phones = append(cur.phones, string(v))
	case ingest.KindDocument:
		cur.docs = append(cur.docs, string(v))
	case ingest.KindPhoto:
		if h, err := strconv.ParseUint(string(v), 16, 64); err == nil {
			cur.photo = h
		}
	case ingest.KindCVSketch:
		cur.cv = parseCVSketch(string(v))
	case ingest.KindDevice:
		h := fnv.New64a()
		h.Write([]byte(v))
		for i := range cur.devices {
			if cur.devices[i] == 0 {
				cur.devices[i] = max(h.Sum64(), 1)
				break
			}
		}
	}
}

// hasColon reports whether a name key is a phonetic one ("dm:...").
func hasColon[S string | []byte](v S) bool {
	for i := range len(v) {
		if v[i] == ':' {
			return true
		}
	}
	return false
}

// personHubNames is how many dissimilar names may hold one e-mail, phone or document
// before it stops counting as evidence that its holders are one person: an agency's
// contact address on a hundred applications says nothing about who applied. Names count
// as dissimilar below hubNameSimilarity, so one person's typos do not make a hub.
const (
	personHubNames    = 4
	hubNameSimilarity = 0.85
)

// heldUnderManyNames reports whether names holds personHubNames or more dissimilar names (empty
// ones ignored): a value or account held under that many is a hub or a shared login,
// not one person's.
func heldUnderManyNames(names iter.Seq[string]) bool {
	var seen []string
	for n := range names {
		if n != "" && !similarToAny(n, seen) {
			if seen = append(seen, n); len(seen) >= personHubNames {
				return true
			}
		}
	}
	return false
}

func similarToAny(name string, names []string) bool {
	for _, n := range names {
		if jaroWinkler(name, n) >= hubNameSimilarity {
			return true
		}
	}
	return false
}

// dropHubValues removes, from every record's person-layer features, the e-mails, phones
// and documents held under personHubNames or more distinct names. The operator layer
// still sees them (it reads postings, not features).
func (e *Engine) dropHubValues(ctx context.Context, index map[string]int32, fs []features) (int, error) {
	hubs := make(map[string]struct{})
	kinds := []ingest.Kind{ingest.KindEmail, ingest.KindPhone, ingest.KindDocument}
	for _, k := range kinds {
		err := e.store.ForEachShared(ctx, k, func(value string, recs []string) error {
			if len(recs) < personHubNames {
				return nil
			}
			if heldUnderManyNames(func(yield func(string) bool) {
				for _, r := range recs {
					if i, ok := index[r]; ok && !yield(fs[i].name) {
						return
					}
				}
			}) {
				hubs[string(k)+"\x00"+value] = struct{}{}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	if len(hubs) == 0 {
		return 0, nil
	}
	drop := func(k ingest.Kind, vs []string) []string {
		return slices.DeleteFunc(vs, func(v string) bool {
			_, hub := hubs[string(k)+"\x00"+v]
			return hub
		})
	}
	for i := range fs {
		fs[i].emails = drop(ingest.KindEmail, fs[i].emails)
		fs[i].phones = drop(ingest.KindPhone, fs[i].phones)
		fs[i].docs = drop(ingest.KindDocument, fs[i].docs)
	}
	return len(hubs), nil
}

// linkAccounts unions the records of each source account: a source's own account id
// groups that account's records (DESIGN.md section 2), and some records (a termination, a
// payroll change) carry little else than the account and a name. An account held under
// personHubNames or more dissimilar names is a shared login, such as an agency's, not one
// persona, and links nothing.
func (e *Engine) linkAccounts(ctx context.Context, index map[string]int32, fs []features, uf *unionFind) (int, error) {
	linked := 0
	err := e.store.ForEachShared(ctx, ingest.KindAccount, func(_ string, recs []string) error {
		if len(recs) < 2 {
			return nil
		}
		var members []int32
		for _, r := range recs {
			if i, ok := index[r]; ok {
				members = append(members, i)
			}
		}
		if len(members) < 2 || heldUnderManyNames(func(yield func(string) bool) {
			for _, m := range members {
				if !yield(fs[m].name) {
					return
				}
			}
		}) {
			return nil
		}
		for _, m := range members[1:] {
			uf.union(members[0], m)
		}
		linked++
		return nil
	})
	return linked, err
}

// birthYear is the year of a DOB value, "" when unknown.
func (f *features) birthYear() string {
	if len(f.dob) >= 4 {
		return f.dob[:4]
	}
	return ""
}

// initial is the first letter of the name's first token ("" when there is no name).
func (f *features) initial() string {
	if f.name == "" {
		return ""
	}
	return f.name[:1]
}

// familyCodes returns each record's family-name phonetic code ("" when unknown), from its
// "dmf:<family>/<initial>" name key: the operator layer asks whether the holders of a
// shared value look like one family.
//
// The codes are copies, one per distinct code: the operator layer keeps them after the
// features, whose strings share one allocation per record (featureLoader), are freed.
func familyCodes(fs []features) []string {
	out := make([]string, len(fs))
	interned := make(map[string]string)
	for i := range fs {
		for _, p := range fs[i].phonetic {
			if fam, ok := strings.CutPrefix(p, "dmf:"); ok {
				fam, _, _ = strings.Cut(fam, "/")
				c, ok := interned[fam]
				if !ok {
					c = strings.Clone(fam)
					interned[c] = c
				}
				out[i] = c
				break
			}
		}
	}
	return out
}

// nearEvidence is what the operator layer needs from the features after they are freed:
// per record, its family-name code, its name hashed, its photo hash, its phone numbers as
// integers and its address keys hashed.
type nearEvidence struct {
	family  []string
	name    []uint64 // nameHash of the plain name key (oneIdentity)
	photo   []uint64
	phones  [][]uint64
	address [][]uint64
	cv      map[int32]*cvSketch // records with a CV
}

func collectNearEvidence(fs []features) nearEvidence {
	ne := nearEvidence{family: familyCodes(fs), name: make([]uint64, len(fs)), photo: make([]uint64, len(fs)),
		phones: make([][]uint64, len(fs)), address: make([][]uint64, len(fs)), cv: make(map[int32]*cvSketch)}
	for i := range fs {
		ne.name[i] = nameHash(fs[i].name)
		if fs[i].cv != nil {
			ne.cv[int32(i)] = fs[i].cv
		}
		ne.photo[i] = fs[i].photo
		ne.address[i] = addressHashes(&fs[i])
		for _, p := range fs[i].phones {
			if n, ok := ingest.PhoneNumeric(p); ok {
				ne.phones[i] = append(ne.phones[i], n)
			}
		}
	}
	return ne
}

// addressHashes returns a record's address keys hashed: the operator layer asks only
// whether two holders gave a common address (coResident).
func addressHashes(f *features) []uint64 {
	var out []uint64
	for _, a := range f.address {
		out = append(out, addressHash(a))
	}
	return out
}

// addressHash is the hash of one address key ("country|postcode|house|unit|street") as
// the operator layer compares addresses, to ask whether people live together: by
// country, postcode and house number when the key has both, so that a misspelt street
// or a unit left out (DOMAIN.md 6.6: one entry in twenty) is still the same building;
// by the whole key otherwise.
func addressHash(a string) uint64 {
	if i := strings.IndexByte(a, '|'); i >= 0 {
		if j := strings.IndexByte(a[i+1:], '|'); j > 0 {
			if k := strings.IndexByte(a[i+1+j+1:], '|'); k > 0 {
				a = a[:i+1+j+1+k]
			}
		}
	}
	h := fnv.New64a()
	h.Write([]byte(a))
	return h.Sum64()
}
