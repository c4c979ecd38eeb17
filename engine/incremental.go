package engine

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Incremental linking: a platform asks "is this applicant one of a ring?" as it signs
// them up, and re-clustering a million records to answer takes a minute. Instead, a
// record is linked against the clusters already stored, reading only its neighbourhood:
//
//   - person layer: its candidates are the records sharing a blocking key (the store
//     keeps postings for them, graph/blocks.go) or an e-mail, phone or document, compared
//     with the person model the last full run fitted; it joins (and merges) the person
//     clusters of the candidates it matches;
//   - operator layer: for every value held by its person cluster, the holders' person
//     clusters are weighed exactly as the full run weighs them (valueWeight), and the
//     person cluster joins the operator clusters it links to, strongly or by two weak
//     kinds of evidence; numbers in a sequential block count too;
//   - flags and risk of the merged clusters are the union of the merged clusters' flags
//     and those of the new evidence.
//
// What it cannot see, the next full run settles: a value's weight changing for pairs of
// other person clusters (its holder count crossed a threshold), near-duplicate photos,
// copies of one CV template that nothing else ties and their strong weight (nearCVPairs
// needs every CV's minima, to tell a template's boilerplate from an operator's rare
// lines; the full similarity seen here would count a public template's boilerplate),
// a new version of a record dropping an identifier that held a cluster together (links
// are only added here), a chain held by one weak link (the refinement pass cuts it,
// refine.go), and the person model refitted to the grown store. Adding
// records one at a time and then re-clustering gives exactly the batch result; the
// incremental answer itself agrees with it closely (engine tests measure how closely on
// the generated population).
const (
	// maxIncExact bounds the holders read of an e-mail, phone or document; one held by
	// more is a hub (held under personHubNames names or more) all but surely.
	maxIncExact = 4 * maxBlock
	// maxIncHolders bounds the records read per shared value. More than maxPairHolders
	// person clusters make a value too weak to link (hubDiscount) and too common to pair;
	// a value with more records than twice that almost surely has that many holders.
	maxIncHolders = 2 * maxPairHolders
	maxIncRecords = 64 // changed records linked incrementally per Ingest call
)

// personModel returns the person model of the last full run and the number of records it
// was fitted on; nil when there was none.
func (e *Engine) personModel(ctx context.Context) (*fsModel, int, error) {
	if e.model != nil {
		return e.model, e.modelRecords, nil
	}
	raw, err := e.store.Meta(ctx, metaPersonModel)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	md, n, err := unmarshalModel(raw)
	if err != nil {
		// A model another version fitted (other comparison levels) cannot score pairs
		// here; without one the caller re-clusters, which fits and stores a new model.
		e.log.Warn().Err(err).Msg("stored person model unusable: the next full run refits it")
		return nil, 0, nil
	}
	e.model, e.modelRecords = md, n
	return md, n, nil
}

// Reconcile re-clusters the store when records were linked incrementally since the last
// full run (or the clusters are stale), so that the full run's refinements (a refitted
// person model, weights of values whose holder counts changed) reach them; ran says
// whether it did.
func (e *Engine) Reconcile(ctx context.Context) (ran bool, err error) {
	defer e.settleAfterRun(ctx) // after the unlock below
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	stale, err := e.store.ClustersStale(ctx)
	if err != nil || (!stale && e.linked == 0) {
		return false, err
	}
	return true, e.reclusterLocked(ctx)
}

// linkNew links records stored since the clusters were last consistent into the stored
// clusters, one at a time, and clears the stale marker with the last. ok is false when it
// could not (no fitted model yet, a patch too big): the caller re-clusters.
func (e *Engine) linkNew(ctx context.Context, ids []string) (ok bool, err error) {
	md, n, err := e.personModel(ctx)
	if err != nil || md == nil || n == 0 {
		return false, err
	}
	labels, err := e.ValueLabels(ctx)
	if err != nil {
		return false, err
	}
	for i, id := range ids {
		lk := &linker{e: e, md: md, n: float64(n + i + 1), labels: labels, states: make(map[string]*graph.RecordState)}
		err := lk.link(ctx, id, i == len(ids)-1)
		if errors.Is(err, graph.ErrPatchTooBig) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("engine: link %q: %w", id, err)
		}
		e.linked++
	}
	return true, nil
}

// linker links one record. Its state cache holds what it read from one consistent
// view: nothing changes under it, as writers take turns.
type linker struct {
	e      *Engine
	md     *fsModel
	n      float64           // records in the store, for name frequencies
	labels map[string]string // analyst labels on values (ValueLabels)
	states map[string]*graph.RecordState
	feats  map[string]*features // person-layer features of candidates
	// persons holds the person clusters read, nil for an id that names none.
	persons map[string]*graph.Cluster
}

// personCluster returns person cluster id (nil if there is none), read once per link.
func (lk *linker) personCluster(ctx context.Context, id string) (*graph.Cluster, error) {
	if c, ok := lk.persons[id]; ok {
		return c, nil
	}
	c, err := lk.e.store.Cluster(ctx, graph.Person, id)
	if errors.Is(err, graph.ErrNotFound) {
		c, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	lk.rememberPerson(id, c)
	return c, nil
}

// rememberPerson keeps person cluster id as read (nil: there is none).
func (lk *linker) rememberPerson(id string, c *graph.Cluster) {
	if lk.persons == nil {
		lk.persons = make(map[string]*graph.Cluster)
	}
	lk.persons[id] = c
}

// loadPersons reads the person clusters of the records ids (loaded already) that are not
// in own, and the states of their members, in two batched reads on every core. The
// operator step weighs a value by the whole person clusters of its holders, and read
// each holder's cluster and then its members one lookup after another: in the slowest
// checks at 1M records (values with 100 to 300 holders' states to read) that step took
// 1 to 5 ms. Measured over 1,500 checks the change is within this host's noise.
func (lk *linker) loadPersons(ctx context.Context, ids []string, own map[string]bool) error {
	var want []string
	for _, id := range ids {
		st := lk.states[id]
		if own[id] || st == nil || st.Person == "" {
			continue
		}
		if _, ok := lk.persons[st.Person]; !ok {
			want = append(want, st.Person)
		}
	}
	if len(want) == 0 {
		return nil
	}
	want = sortedUnique(want)
	cs, err := lk.e.store.Clusters(ctx, graph.Person, want)
	if err != nil {
		return err
	}
	var members []string
	for i, c := range cs {
		lk.rememberPerson(want[i], c)
		if c != nil {
			members = append(members, c.Records...)
		}
	}
	return lk.load(ctx, members)
}

// features returns the features of records (missing ones left out), reading only their
// identifier lists: candidates are many and most are compared and dropped.
func (lk *linker) features(ctx context.Context, ids []string) (map[string]*features, error) {
	if lk.feats == nil {
		lk.feats = make(map[string]*features)
	}
	var missing []string
	for _, id := range ids {
		if _, ok := lk.feats[id]; !ok {
			if st := lk.states[id]; st != nil {
				f := featuresOf(st.Identifiers)
				lk.feats[id] = &f
			} else {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		fs := make([]*features, len(missing))
		if err := lk.e.store.EachIdentifierOf(ctx, missing, func(i int, kind ingest.Kind, value []byte) {
			if fs[i] == nil {
				fs[i] = &features{}
			}
			fs[i].addBytes(kind, value)
		}); err != nil {
			return nil, err
		}
		for i, f := range fs {
			if f != nil {
				lk.feats[missing[i]] = f
			}
		}
	}
	return lk.feats, nil
}

// load reads the states of ids not read yet.
func (lk *linker) load(ctx context.Context, ids []string) error {
	var missing []string
	for _, id := range ids {
		if _, ok := lk.states[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sts, err := lk.e.store.RecordStates(ctx, missing)
	if err != nil {
		return err
	}
	for i := range sts {
		lk.states[sts[i].ID] = &sts[i]
	}
	return nil
}

func featuresOf(ids []ingest.Identifier) features {
	var f features
	for _, id := range ids {
		f.add(id.Kind, id.Value)
	}
	return f
}

// link links record id and writes the clusters it changed.
func (lk *linker) link(ctx context.Context, id string, clearStale bool) error {
	if err := lk.load(ctx, []string{id}); err != nil {
		return err
	}
	self := lk.states[id]
	if self == nil {
		return fmt.Errorf("record %q: %w", id, graph.ErrNotFound)
	}
	matched, err := lk.personMatches(ctx, self)
	if err != nil {
		return err
	}
	// The person cluster: the record, its own earlier cluster (a new version only adds
	// links here), and the clusters of the records it matches.
	oldPersons := []string{self.Person}
	loose := []string{id}
	for _, m := range matched {
		if c := lk.states[m].Person; c != "" {
			oldPersons = append(oldPersons, c)
		} else {
			loose = append(loose, m)
		}
	}
	person, oldP, err := lk.merge(ctx, graph.Person, oldPersons, loose)
	if err != nil {
		return err
	}
	if err := lk.load(ctx, person.Records); err != nil {
		return err
	}
	ev, err := lk.operatorEvidence(ctx, person.Records, oldP)
	if err != nil {
		return err
	}
	oldOps := []string{}
	for _, r := range person.Records {
		if st := lk.states[r]; st != nil && st.Operator != "" {
			oldOps = append(oldOps, st.Operator)
		}
	}
	oldOps = append(oldOps, ev.linkedOps...)
	operator, oldO, err := lk.merge(ctx, graph.Operator, oldOps, person.Records)
	if err != nil {
		return err
	}
	var sig uint32
	for _, r := range person.Records {
		if st := lk.states[r]; st != nil {
			sig |= st.Signals
		}
	}
	lk.rescore(person, oldP, ev, sig, false)
	lk.rescore(operator, oldO, ev, sig, true)
	if err := lk.countPersonas(ctx, operator, person); err != nil {
		return err
	}
	patches := []graph.ClusterPatch{
		{Level: graph.Person, Drop: dropped(oldP, person.ID), Put: []*graph.Cluster{person}},
		{Level: graph.Operator, Drop: dropped(oldO, operator.ID), Put: []*graph.Cluster{operator}},
	}
	return lk.e.store.PatchClusters(ctx, patches, clearStale)
}

// personMatches returns the candidates of self that the person model matches.
func (lk *linker) personMatches(ctx context.Context, self *graph.RecordState) ([]string, error) {
	f := featuresOf(self.Identifiers)
	// Candidates from blocking keys; a key with more than maxBlock holders is a sorted
	// neighbourhood in the full run, and so here: the postings of a key are in name
	// order, so the nearest names are a seek away.
	var cands []string
	nameCount := 1
	keys := nameBlockingKeys(&f, nil)
	blockIDs, blockMore, err := lk.e.store.BlockHoldersOfEach(ctx, keys, maxBlock)
	if err != nil {
		return nil, err
	}
	for i, ids := range blockIDs {
		if i == 0 && f.name != "" {
			nameCount = max(1, len(ids))
			if blockMore[i] {
				// A very common exact name: count its holders for the name's frequency.
				all, _, err := lk.e.store.BlockHolders(ctx, keys[0], 0)
				if err != nil {
					return nil, err
				}
				nameCount = len(all)
			}
		}
		if !blockMore[i] {
			cands = append(cands, ids...)
			continue
		}
		near, err := lk.e.store.BlockNeighbours(ctx, keys[i], f.name, window+1)
		if err != nil {
			return nil, err
		}
		cands = append(cands, near...)
	}
	// E-mails, phones and documents: their postings are the blocks. One held under
	// personHubNames dissimilar names or more is an agency's or a farm's and says nothing
	// about who applied, as in the full run.
	exact := []struct {
		kind ingest.Kind
		vals *[]string
	}{{ingest.KindEmail, &f.emails}, {ingest.KindPhone, &f.phones}, {ingest.KindDocument, &f.docs}}
	var values []graph.Value
	for _, x := range exact {
		for _, v := range *x.vals {
			values = append(values, graph.Value{Kind: x.kind, Value: v})
		}
	}
	holders, holdersMore, err := lk.e.store.HoldersOfEach(ctx, values, maxIncExact)
	if err != nil {
		return nil, err
	}
	at := 0
	for _, x := range exact {
		var keep []string
		for _, v := range *x.vals {
			ids, more := holders[at], holdersMore[at]
			at++
			if more {
				continue
			}
			fs, err := lk.features(ctx, ids)
			if err != nil {
				return nil, err
			}
			if hubNames(fs, ids) {
				continue
			}
			keep = append(keep, v)
			cands = append(cands, ids...)
		}
		*x.vals = keep
	}
	cands = sortedUnique(cands)
	fs, err := lk.features(ctx, cands)
	if err != nil {
		return nil, err
	}
	var matched []string
	pats := map[string]pattern{}
	for _, c := range cands {
		fc := fs[c]
		if c == self.ID || fc == nil {
			continue
		}
		p := compare(&f, fc)
		ok := lk.md.posterior(p) >= matchPrior
		if ok && p.level(fName) == 0 {
			ok = lk.md.posteriorTF(p, float64(nameCount)/lk.n) >= matchPrior
		}
		if ok {
			matched = append(matched, c)
			pats[c] = p
		}
	}
	// The rules that keep a match apart (keptApart) apply only where the e-mails and
	// phones all differ; those candidates' signals are read for them.
	var check []string
	for _, c := range matched {
		if p := pats[c]; p.level(fEmail) == 2 && p.level(fPhone) == 2 {
			check = append(check, c)
		}
	}
	if len(check) > 0 {
		if err := lk.load(ctx, check); err != nil {
			return nil, err
		}
		matched = slices.DeleteFunc(matched, func(c string) bool {
			var sig uint32
			if st := lk.states[c]; st != nil {
				sig = st.Signals
			}
			return keptApart(pats[c], self.Signals, sig, &f, fs[c]) != ""
		})
	}
	// A source account's records are one persona's unless the account is a shared login
	// (held under personHubNames dissimilar names or more), as linkAccounts decides.
	var accounts []graph.Value
	for _, id := range self.Identifiers {
		if id.Kind == ingest.KindAccount {
			accounts = append(accounts, graph.Value{Kind: id.Kind, Value: id.Value})
		}
	}
	accHolders, accMore, err := lk.e.store.HoldersOfEach(ctx, accounts, maxIncExact)
	if err != nil {
		return nil, err
	}
	for i, ids := range accHolders {
		if accMore[i] || len(ids) < 2 {
			continue
		}
		fs, err := lk.features(ctx, ids)
		if err != nil {
			return nil, err
		}
		if !hubNames(fs, ids) {
			matched = append(matched, slices.DeleteFunc(slices.Clone(ids), func(r string) bool { return r == self.ID })...)
		}
	}
	matched = sortedUnique(matched)
	return matched, lk.load(ctx, matched)
}

// hubNames reports whether records hold personHubNames or more dissimilar names.
func hubNames(fs map[string]*features, ids []string) bool {
	return len(ids) >= personHubNames && heldUnderManyNames(func(yield func(string) bool) {
		for _, id := range ids {
			if f := fs[id]; f != nil && !yield(f.name) {
				return
			}
		}
	})
}

// merge returns the cluster of level l made of the stored clusters olds ("" ignored) and
// the records extra, with its id, and the old clusters it replaces (loaded).
func (lk *linker) merge(ctx context.Context, l graph.Level, olds, extra []string) (*graph.Cluster, []*graph.Cluster, error) {
	olds = sortedUnique(slices.DeleteFunc(olds, func(s string) bool { return s == "" }))
	var members []string
	var loaded []*graph.Cluster
	for _, id := range olds {
		c, err := lk.e.store.Cluster(ctx, l, id)
		if errors.Is(err, graph.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		loaded = append(loaded, c)
		members = append(members, c.Records...)
	}
	members = sortedUnique(append(members, extra...))
	return &graph.Cluster{ID: clusterID(l, members[0]), Records: members}, loaded, nil
}

func dropped(olds []*graph.Cluster, keep string) []string {
	var ids []string
	for _, c := range olds {
		if c.ID != keep {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// incEvidence is what the operator step found for one person cluster.
type incEvidence struct {
	values    []sharedValueRef // values the person cluster shares, for evidence and flags
	linkedOps []string         // operator clusters it links to
	churn     bool             // its records give churnAddresses or more addresses
}

// sharedValueRef is a sharedValue with record ids instead of dense indexes.
type sharedValueRef struct {
	kind    ingest.Kind
	value   string
	records []string
	persons int
	benign  bool
}

// operatorEvidence weighs every value the person cluster's records hold against the
// person clusters of its other holders, as linkOperators does, and returns the operator
// clusters that the person cluster links to. oldPersons are the person clusters merged
// into it (their records count as its own).
func (lk *linker) operatorEvidence(ctx context.Context, members []string, oldPersons []*graph.Cluster) (*incEvidence, error) {
	const self = int32(0)
	own := make(map[string]bool, len(members))
	for _, r := range members {
		own[r] = true
	}
	// Dense person ids for this step: 0 is the record's person cluster.
	personIDs := map[string]int32{}
	personOf := func(rec string) int32 {
		if own[rec] {
			return self
		}
		st := lk.states[rec]
		key := "r:" + rec // not clustered yet: a person of its own
		if st != nil && st.Person != "" {
			key = st.Person
		}
		p, ok := personIDs[key]
		if !ok {
			p = int32(len(personIDs) + 1)
			personIDs[key] = p
		}
		return p
	}
	// A person cluster's signals and family are those of all its records, as in the full
	// run, not only of the records holding the value at hand.
	personSig := map[int32]uint32{}
	personFamily := map[int32]string{}
	opOf := map[int32]string{}
	known := map[int32]bool{}
	personAddr := map[int32][]uint64{}
	personCV := map[int32][]*cvSketch{}
	personName := map[int32][]uint64{}
	absorb := func(p int32, st *graph.RecordState) {
		personSig[p] |= st.Signals
		f := featuresOf(st.Identifiers)
		if f.cv != nil {
			personCV[p] = append(personCV[p], f.cv)
		}
		if personFamily[p] == "" {
			if fam := familyCodes([]features{f})[0]; fam != "" {
				personFamily[p] = fam
			}
		}
		personAddr[p] = append(personAddr[p], addressHashes(&f)...)
		if n := nameHash(f.name); n != 0 && !slices.Contains(personName[p], n) {
			personName[p] = append(personName[p], n)
		}
	}
	var noteErr error
	note := func(rec string) {
		st := lk.states[rec]
		if st == nil {
			return
		}
		p := personOf(rec)
		if p != self && st.Operator != "" {
			opOf[p] = st.Operator
		}
		if known[p] {
			return
		}
		known[p] = true
		absorb(p, st)
		if p == self || st.Person == "" {
			return
		}
		c, err := lk.personCluster(ctx, st.Person)
		if err == nil && c != nil {
			err = lk.load(ctx, c.Records)
		}
		if err != nil {
			noteErr = err
			return
		}
		if c != nil {
			for _, r := range c.Records {
				if m := lk.states[r]; m != nil {
					absorb(p, m)
				}
			}
		}
	}
	for _, r := range members {
		if st := lk.states[r]; st != nil {
			absorb(self, st)
		}
	}
	known[self] = true
	type kv struct {
		ki    int
		value string
	}
	seen := map[kv]bool{}
	ev := &incEvidence{}
	pairs := map[int32]*pairEvidence{}
	linked := map[int32]bool{}
	var phones, photos []uint64
	var held []kv
	for _, r := range members {
		st := lk.states[r]
		if st == nil {
			continue
		}
		if f := featuresOf(st.Identifiers); f.photo != 0 {
			photos = append(photos, f.photo)
		}
		for _, ident := range st.Identifiers {
			switch ident.Kind {
			case ingest.KindPhone:
				if n, ok := ingest.PhoneNumeric(ident.Value); ok {
					phones = append(phones, n)
				}
			case ingest.KindCVShingleBand:
				continue // a store's older band identifiers: bands come from the sketch
			case ingest.KindCVSketch:
				for _, v := range ingest.CVBandValues(ident.Value) {
					if !seen[kv{kiCVBand, v}] {
						seen[kv{kiCVBand, v}] = true
						held = append(held, kv{kiCVBand, v})
					}
				}
				continue
			}
			ki := slices.IndexFunc(operatorEvidence, func(ek evidenceKind) bool { return ek.kind == ident.Kind })
			if ki < 0 || seen[kv{ki, ident.Value}] {
				continue
			}
			seen[kv{ki, ident.Value}] = true
			held = append(held, kv{ki, ident.Value})
		}
	}
	// Bands have no postings: their holders come from the engine's band index.
	var values []graph.Value
	var bands []string
	for _, h := range held {
		if h.ki == kiCVBand {
			bands = append(bands, h.value)
		} else {
			values = append(values, graph.Value{Kind: operatorEvidence[h.ki].kind, Value: h.value})
		}
	}
	valueIDs, valueMore, err := lk.e.store.HoldersOfEach(ctx, values, maxIncHolders)
	if err != nil {
		return nil, err
	}
	bandIDs, bandMore, err := lk.bandHolders(ctx, bands, maxIncHolders)
	if err != nil {
		return nil, err
	}
	holderIDs, holderMore := make([][]string, len(held)), make([]bool, len(held))
	for i, vi, bi := 0, 0, 0; i < len(held); i++ {
		if held[i].ki == kiCVBand {
			holderIDs[i], holderMore[i] = bandIDs[bi], bandMore[bi]
			bi++
		} else {
			holderIDs[i], holderMore[i] = valueIDs[vi], valueMore[vi]
			vi++
		}
	}
	var all []string
	for hi, recs := range holderIDs {
		if !holderMore[hi] && len(recs) >= 2 {
			all = append(all, recs...)
		}
	}
	if err := lk.load(ctx, all); err != nil {
		return nil, err
	}
	if err := lk.loadPersons(ctx, all, own); err != nil {
		return nil, err
	}
	// How many person clusters give each address of the record's person cluster, as
	// homeSizes counts them in the full run (valueWeight asks whether a home is private).
	// Address keys that addressHash takes for one building count together.
	homeSize := map[uint64]int32{}
	homePersons := map[uint64][]int32{}
	for hi, h := range held {
		if operatorEvidence[h.ki].kind != ingest.KindAddress || len(holderIDs[hi]) < 2 {
			continue
		}
		a := addressHash(h.value)
		if holderMore[hi] {
			homeSize[a] = maxIncHolders + 1 // more holders than were read
			continue
		}
		for _, r := range holderIDs[hi] {
			homePersons[a] = append(homePersons[a], personOf(r))
		}
	}
	for a, ps := range homePersons {
		if n := int32(len(sortedUnique(ps))); n >= 2 && homeSize[a] == 0 {
			homeSize[a] = n
		}
	}
	for hi, h := range held {
		ki, ek, value := h.ki, operatorEvidence[h.ki], h.value
		recs := holderIDs[hi]
		if holderMore[hi] || len(recs) < 2 {
			continue
		}
		var holders []int32
		for _, h := range recs {
			note(h)
			holders = append(holders, personOf(h))
		}
		holders = sortedUnique(holders)
		if len(holders) < 2 {
			if ek.kind != ingest.KindCVShingleBand {
				ev.values = append(ev.values, sharedValueRef{kind: ek.kind, value: value, records: recs, persons: 1})
			}
			continue
		}
		w, benign := valueWeight(ek, holders, personSig, personFamily, personAddr, homeSize)
		if oneIdentity(ek, holders, personName, personSig) {
			w, benign = w*familyDiscount, true
		}
		w, benign = applyLabel(lk.labels[string(ek.kind)+":"+value], ek, w, benign)
		if len(recs) <= maxEvidence {
			ev.values = append(ev.values, sharedValueRef{kind: ek.kind, value: value, records: recs, persons: len(holders), benign: benign})
		}
		thirdParty := true
		for _, r := range recs {
			if st := lk.states[r]; st == nil || st.Signals&sigThirdPartyPayout == 0 {
				thirdParty = false
			}
		}
		facilitator := valueFacilitator(ek, holders, thirdParty, personAddr) || collectorWallet(ek, value, holders)
		if w >= strongWeight && !facilitator {
			for _, h := range holders {
				linked[h] = true
			}
			continue
		}
		if len(holders) > maxPairHolders {
			continue
		}
		for _, h := range holders {
			if h != self {
				pairFor(pairs, h).addValue(ki, ek, w, facilitator, personAddr[self], personAddr[h])
			}
		}
	}
	// Sequential phone numbers: the postings of one length are in numeric order.
	for _, n := range sortedUnique64(phones) {
		lo, hi := "+"+strconv.FormatUint(n-phoneBlockSpan, 10), "+"+strconv.FormatUint(n+phoneBlockSpan, 10)
		near, err := lk.e.store.HoldersBetween(ctx, ingest.KindPhone, lo, hi, 2*maxNearBucket)
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, h := range near {
			ids = append(ids, h.RecordID)
		}
		if err := lk.load(ctx, ids); err != nil {
			return nil, err
		}
		lowest, highest := n, n
		var blockRecs []string
		for _, h := range near {
			m, ok := ingest.PhoneNumeric(h.Value)
			if !ok || m == n {
				continue
			}
			note(h.RecordID)
			if p := personOf(h.RecordID); p != self {
				pairFor(pairs, p).add(kiPhoneBlock, phoneBlockWeight, true)
				lowest, highest = min(lowest, m), max(highest, m)
				blockRecs = append(blockRecs, h.RecordID)
			}
		}
		if len(blockRecs) > 0 {
			// The block as the full run would name it, as far as this neighbourhood sees.
			for _, h := range near {
				if m, ok := ingest.PhoneNumeric(h.Value); ok && m == n {
					blockRecs = append(blockRecs, h.RecordID)
				}
			}
			blockRecs = sortedUnique(blockRecs)
			persons := map[int32]bool{}
			for _, r := range blockRecs {
				persons[personOf(r)] = true
			}
			ev.values = append(ev.values, sharedValueRef{kind: phoneBlockKind, value: phoneRange(lowest, highest),
				records: blockRecs, persons: len(persons)})
		}
	}
	// Address churn: the person cluster's records give many addresses.
	var addrs []string
	for _, r := range members {
		if st := lk.states[r]; st != nil {
			addrs = append(addrs, featuresOf(st.Identifiers).address...)
		}
	}
	ev.churn = len(sortedUnique(addrs)) >= churnAddresses
	// Near-duplicate photos: a hash within photoNearBits shares one of four bands
	// (mostly; see photoNearDuplicates), and the store keeps postings per band.
	for _, ph := range sortedUnique64(photos) {
		for _, k := range photoBandKeys(ph, nil) {
			ids, more, err := lk.e.store.BlockHolders(ctx, k, maxNearBucket)
			if err != nil {
				return nil, err
			}
			if more {
				continue // the full run skips buckets this full too
			}
			if err := lk.load(ctx, ids); err != nil {
				return nil, err
			}
			for _, id := range ids {
				st := lk.states[id]
				if st == nil {
					continue
				}
				if h := featuresOf(st.Identifiers).photo; h != 0 && bits.OnesCount64(h^ph) <= photoNearBits {
					note(id)
					if p := personOf(id); p != self {
						pairFor(pairs, p).add(kiPhotoNear, photoNearWeight, false)
					}
				}
			}
		}
	}
	if noteErr != nil {
		return nil, noteErr
	}
	// CV similarity for the pairs other evidence ties (similarCVs), without its
	// boilerplate suppression, which needs every CV's minima: a full run refines it.
	// Bands of CVs that the sketches find unlike count for nothing, as there.
	for p, pe := range pairs {
		if bestSimilarity(personCV[self], personCV[p]) >= cvSketchSimilar {
			pe.add(kiCVSketch, cvSketchWeight, false)
		} else {
			pe.drop(kiCVBand)
		}
	}
	for p, pe := range pairs {
		if linksAlone(pe) {
			linked[p] = true
		}
	}
	for p := range linked {
		if op := opOf[p]; p != self && op != "" {
			ev.linkedOps = append(ev.linkedOps, op)
		}
	}
	slices.Sort(ev.linkedOps)
	return ev, nil
}

func sortedUnique64(s []uint64) []uint64 {
	slices.Sort(s)
	return slices.Compact(s)
}

// rescore sets the flags, evidence and risk of a merged cluster: those of the clusters it
// replaces, plus what the new evidence and the person cluster's signals raise.
func (lk *linker) rescore(c *graph.Cluster, olds []*graph.Cluster, ev *incEvidence, sig uint32, operator bool) {
	flags := map[string]bool{}
	byKey := map[string]int{}
	for _, o := range olds {
		for _, f := range o.Flags {
			flags[f] = true
		}
		for _, e := range o.Evidence {
			if _, ok := byKey[e.Kind+"\x00"+e.Value]; !ok {
				byKey[e.Kind+"\x00"+e.Value] = len(c.Evidence)
				c.Evidence = append(c.Evidence, e)
			}
		}
	}
	for _, v := range ev.values {
		e := graph.Evidence{Kind: string(v.kind), Value: v.value, Records: v.records}
		if i, ok := byKey[e.Kind+"\x00"+e.Value]; ok {
			c.Evidence[i] = e // the holders as they are now
		} else {
			byKey[e.Kind+"\x00"+e.Value] = len(c.Evidence)
			c.Evidence = append(c.Evidence, e)
		}
		valueFlags(v.kind, v.persons, v.benign, flags)
	}
	if ev.churn {
		flags[addressChurn] = true
	}
	signalFlags(sig, flags)
	setFlags(c, flags)
}

// countPersonas raises many_personas on the operator cluster when its records belong to
// three or more person clusters (person is the linked record's new person cluster).
func (lk *linker) countPersonas(ctx context.Context, operator, person *graph.Cluster) error {
	if slices.Contains(operator.Flags, "many_personas") || len(operator.Records) < 3 {
		return nil
	}
	ps, err := lk.e.store.Memberships(ctx, graph.Person, operator.Records)
	if err != nil {
		return err
	}
	inPerson := make(map[string]bool, len(person.Records))
	for _, r := range person.Records {
		inPerson[r] = true
	}
	distinct := map[string]bool{}
	for i, r := range operator.Records {
		switch {
		case inPerson[r]:
			distinct[person.ID] = true
		case ps[i] != "":
			distinct[ps[i]] = true
		default:
			distinct["r:"+r] = true
		}
	}
	if len(distinct) >= 3 {
		flags := map[string]bool{"many_personas": true}
		for _, f := range operator.Flags {
			flags[f] = true
		}
		setFlags(operator, flags)
	}
	return nil
}
