package engine

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// forEachSharedBand calls fn once per CV LSH band that two or more of the sketched
// records share, with the band's value (ingest.CVBandValue) and its records in ascending
// order, band after band and by hash within a band: the order is fixed, so that a run's
// evidence does not depend on map order.
//
// Bands have no postings in the store (ingest/cvband.go says why): they are found here by
// sorting each band's (hash, record) pairs, one band at a time, so the working memory is
// 16 bytes a sketched record (28 with the lists of them) whatever the number of bands. fn
// may keep the slice it gets.
func forEachSharedBand(cv map[int32]*cvSketch, fn func(value string, records []int32) error) error {
	type entry struct {
		h   uint64
		rec int32
	}
	recs := make([]int32, 0, len(cv))
	for r := range cv {
		recs = append(recs, r)
	}
	slices.Sort(recs)
	sketches := make([]*[ingest.MinHashSize]uint16, len(recs))
	for i, r := range recs {
		sketches[i] = (*[ingest.MinHashSize]uint16)(cv[r])
	}
	entries := make([]entry, len(recs))
	for band := range ingest.LSHBands {
		for i, r := range recs {
			entries[i] = entry{ingest.CVBand(sketches[i], band), r}
		}
		slices.SortFunc(entries, func(a, b entry) int {
			return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.rec, b.rec))
		})
		for lo := 0; lo < len(entries); {
			hi := lo + 1
			for hi < len(entries) && entries[hi].h == entries[lo].h {
				hi++
			}
			if hi-lo >= 2 {
				group := make([]int32, hi-lo)
				for i := range group {
					group[i] = entries[lo+i].rec
				}
				if err := fn(ingest.CVBandValue(band, entries[lo].h), group); err != nil {
					return err
				}
			}
			lo = hi
		}
	}
	return nil
}

// kiCVBand is the CV band's slot in operatorEvidence (and pairEvidence.byKind).
var kiCVBand = slices.IndexFunc(operatorEvidence, func(ek evidenceKind) bool {
	return ek.kind == ingest.KindCVShingleBand
})

// bandIndex finds records by CV band for the incremental linker, which asks, for a new
// record's sixteen bands, who else holds each. Bands have no postings in the store, so
// the engine keeps this index in memory: built from the stored sketches the first time
// a link needs it (or when serve warms it), then extended by every record the engine
// stores. It is guarded by the engine's writeMu, like everything the linker touches.
//
// An entry is 32 bits of a band's hash above the record's ordinal, in one uint64, so
// that a band's entries sort as integers: 8 bytes a band, 128 bytes a sketched record.
// Entries are never removed: a record stored again with another CV, or forgotten, keeps
// its old entries, and holders verifies every candidate against the record's current
// sketch, which also discards the rare record that agrees on the 32 bits alone.
type bandIndex struct {
	ids    []string // ordinal -> record id
	sorted [ingest.LSHBands][]uint64
	// tail holds each band's recent entries, unsorted, until it is worth merging into
	// sorted: a record stored between two lookups costs an append, not a sort.
	tail [ingest.LSHBands][]uint64
}

// minBandTail is the tail length below which a band's tail is never merged.
const minBandTail = 4096

// add indexes the bands of record id's sketch.
func (bi *bandIndex) add(id string, sk *[ingest.MinHashSize]uint16) {
	bi.append(id, sk)
	for b := range bi.tail {
		if len(bi.tail[b]) > max(minBandTail, len(bi.sorted[b])/8) {
			bi.merge(b)
		}
	}
}

// append adds the entries of record id's sketch to the tails.
func (bi *bandIndex) append(id string, sk *[ingest.MinHashSize]uint16) {
	ord := uint64(len(bi.ids))
	bi.ids = append(bi.ids, id)
	for b, h := range ingest.CVBands(sk) {
		bi.tail[b] = append(bi.tail[b], h>>32<<32|ord)
	}
}

// addPuts indexes the sketches of stored records.
func (bi *bandIndex) addPuts(puts []graph.Put) {
	for i := range puts {
		for _, id := range puts[i].Identifiers {
			if id.Kind == ingest.KindCVSketch {
				if sk, ok := ingest.ParseCVSketch(id.Value); ok {
					bi.add(puts[i].Record.RecordID, &sk)
				}
				break
			}
		}
	}
}

// merge sorts band b's tail into its sorted entries.
func (bi *bandIndex) merge(b int) {
	t := bi.tail[b]
	slices.Sort(t)
	s := bi.sorted[b]
	if len(s) == 0 {
		bi.sorted[b], bi.tail[b] = t, nil
		return
	}
	out := make([]uint64, 0, len(s)+len(t))
	i, j := 0, 0
	for i < len(s) && j < len(t) {
		if s[i] <= t[j] {
			out = append(out, s[i])
			i++
		} else {
			out = append(out, t[j])
			j++
		}
	}
	out = append(append(out, s[i:]...), t[j:]...)
	bi.sorted[b], bi.tail[b] = out, t[:0]
}

// candidates returns the ids of the records with an entry for band b whose hash has the
// high bits of h, each once, in ordinal order.
func (bi *bandIndex) candidates(b int, h uint64) []string {
	lo := h >> 32 << 32
	var ords []uint64
	s := bi.sorted[b]
	for i, _ := slices.BinarySearch(s, lo); i < len(s) && s[i]>>32<<32 == lo; i++ {
		ords = append(ords, s[i]&0xffffffff)
	}
	for _, e := range bi.tail[b] {
		if e>>32<<32 == lo {
			ords = append(ords, e&0xffffffff)
		}
	}
	slices.Sort(ords)
	ords = slices.Compact(ords)
	ids := make([]string, 0, len(ords))
	for _, o := range ords {
		ids = append(ids, bi.ids[o])
	}
	return slices.Compact(ids) // one record stored twice with one CV
}

// bandIndex returns the engine's band index, building it from the store's sketches the
// first time. writeMu must be held.
func (e *Engine) bandIndex(ctx context.Context) (*bandIndex, error) {
	if e.bands != nil {
		return e.bands, nil
	}
	start := time.Now()
	bi := &bandIndex{}
	err := e.store.ForEachIdentifierOfKind(ctx, ingest.KindCVSketch, func(id string, value []byte) error {
		if sk, ok := ingest.ParseCVSketch(string(value)); ok {
			bi.append(id, &sk)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: build the CV band index: %w", err)
	}
	// One sort per band, two bands at a time, rather than merges as the tails grow.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for b := range bi.tail {
		g.Go(func() error {
			bi.merge(b)
			return nil
		})
	}
	g.Wait()
	e.log.Info().Int("records", len(bi.ids)).Dur("took", time.Since(start)).Msg("CV band index built")
	e.bands = bi
	return bi, nil
}

// WarmLinker builds what linking one record at a time needs and a store does not keep
// (the CV band index), so that the first check after a start does not wait for it: a
// few seconds at a million records. serve calls it at start-up.
func (e *Engine) WarmLinker(ctx context.Context) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	_, err := e.bandIndex(ctx)
	return err
}

// bandHolders is HoldersOfEach for CV band values (ingest.CVBandValue): for each, the ids
// of up to limit records whose current sketch has that band (limit <= 0: all), and
// whether more do. It loads the candidates' states into lk to check them.
func (lk *linker) bandHolders(ctx context.Context, values []string, limit int) (ids [][]string, more []bool, err error) {
	if len(values) == 0 {
		return nil, nil, nil
	}
	bi, err := lk.e.bandIndex(ctx)
	if err != nil {
		return nil, nil, err
	}
	type query struct {
		band  int
		h     uint64
		cands []string
		next  int // cands[:next] have been checked
		end   int // cands[next:end] are read in this round
	}
	qs := make([]query, len(values))
	for i, v := range values {
		b, h, ok := ingest.ParseCVBandValue(v)
		if !ok {
			return nil, nil, fmt.Errorf("engine: malformed CV band value %q", v)
		}
		qs[i] = query{band: b, h: h, cands: bi.candidates(b, h)}
	}
	// Candidates are read and checked a round at a time, each value's only as far as its
	// limit needs: a template's band may have thousands of entries, and a check must not
	// read thousands of records to learn that more than limit hold it.
	ids, more = make([][]string, len(values)), make([]bool, len(values))
	for {
		var batch []string
		for i := range qs {
			q := &qs[i]
			q.end = len(q.cands)
			if limit > 0 {
				q.end = min(q.end, q.next+limit+1-len(ids[i]))
			}
			batch = append(batch, q.cands[q.next:q.end]...)
		}
		if len(batch) == 0 {
			break
		}
		if err := lk.load(ctx, batch); err != nil {
			return nil, nil, err
		}
		for i := range qs {
			q := &qs[i]
			for ; q.next < q.end; q.next++ {
				st := lk.states[q.cands[q.next]]
				if st == nil || !hasBand(st.Identifiers, q.band, q.h) {
					continue // forgotten, stored again with another CV, or 32 bits by chance
				}
				ids[i] = append(ids[i], q.cands[q.next])
			}
			if limit > 0 && len(ids[i]) > limit {
				ids[i], more[i] = ids[i][:limit], true
				q.next = len(q.cands) // done
			}
		}
	}
	return ids, more, nil
}

// hasBand reports whether the sketch among ids has hash h in band b.
func hasBand(ids []ingest.Identifier, b int, h uint64) bool {
	for _, id := range ids {
		if id.Kind == ingest.KindCVSketch {
			sk, ok := ingest.ParseCVSketch(id.Value)
			return ok && ingest.CVBand(&sk, b) == h
		}
	}
	return false
}

// changedPuts returns the puts that PutBatch stored as new or updated (res is its result).
func changedPuts(puts []graph.Put, res []graph.PutResult) []graph.Put {
	out := make([]graph.Put, 0, len(puts))
	for i, r := range res {
		if r != graph.Unchanged {
			out = append(out, puts[i])
		}
	}
	return out
}
