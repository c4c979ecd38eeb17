package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
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
	recs, sketches := sketchesInOrder(cv)
	entries := make([]entry, len(recs))
	for band := range ingest.LSHBands {
		for i, r := range recs {
			entries[i] = entry{ingest.CVBand((*[ingest.MinHashSize]uint16)(sketches[i]), band), r}
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

// sketchesInOrder returns the records of cv in ascending order and their sketches, so
// that what is computed from a map of sketches does not depend on map order.
func sketchesInOrder(cv map[int32]*cvSketch) (recs []int32, sketches []*cvSketch) {
	recs = slices.Sorted(maps.Keys(cv))
	sketches = make([]*cvSketch, len(recs))
	for i, r := range recs {
		sketches[i] = cv[r]
	}
	return recs, sketches
}

// kiCVBand is the CV band's slot in operatorEvidence (and pairEvidence.byKind).
var kiCVBand = slices.IndexFunc(operatorEvidence, func(ek evidenceKind) bool {
	return ek.kind == ingest.KindCVShingleBand
})

// bandIndex finds records by CV band for the incremental linker, which asks, for a new
// record's sixteen bands, who else holds each. Bands have no postings in the store, so
// the engine keeps this index itself (on the heap, or for a store on disk in mapped files:
// bandmap.go): built from the stored sketches the first time
// a link needs it (or when serve warms it), then extended by every record the engine
// stores. It is guarded by the engine's writeMu, like everything the linker touches.
//
// An entry is 32 bits of a band's hash above the record's ordinal, in one uint64, so
// that a band's entries sort as integers: 8 bytes a band, 128 bytes a sketched record.
// Entries are never removed: a record stored again with another CV, or forgotten, keeps
// its old entries, and holders verifies every candidate against the record's current
// sketch, which also discards the rare record that agrees on the 32 bits alone.
type bandIndex struct {
	ids    idList // ordinal -> record id
	sorted [ingest.LSHBands][]uint64
	// tail holds each band's recent entries, unsorted, until it is worth merging into
	// sorted: a record stored between two lookups costs an append, not a sort.
	tail [ingest.LSHBands][]uint64
	// dir holds the files that sorted and ids are mapped from (bandmap.go), "" when they
	// are on the heap; mapped[b] is the mapping of sorted[b], nil on the heap.
	dir    string
	mapped [ingest.LSHBands]*mappedWords
}

// idList maps ordinals to record ids: the ids of the build, in one mapped buffer or on
// the heap, then those added since.
type idList struct {
	ends  []uint64 // end of each built id in data
	data  []byte
	added []string
	maps  []*mappedWords // what ends and data are mapped from, if they are
}

func (l *idList) len() int { return len(l.ends) + len(l.added) }

func (l *idList) at(o int) string {
	if o < len(l.ends) {
		start := uint64(0)
		if o > 0 {
			start = l.ends[o-1]
		}
		return string(l.data[start:l.ends[o]])
	}
	return l.added[o-len(l.ends)]
}

// spill moves the ids added since the build into mapped files, after the built ones
// (rewritten), so that a process storing records for a long time does not gather their
// ids on the heap. Like merge, it writes the files before mapping them: writing into a
// mapping of a file not yet written would fault (SIGBUS) on a full disk instead of
// returning an error.
func (l *idList) spill(dir string) error {
	ends, err := newSpillFile(dir)
	if err != nil {
		return err
	}
	data, err := newSpillFile(dir)
	if err != nil {
		ends.discard()
		return err
	}
	err = data.bytes(l.data)
	for _, e := range l.ends {
		if err != nil {
			break
		}
		err = ends.word(e)
	}
	for _, id := range l.added {
		if err != nil {
			break
		}
		if err = data.bytes([]byte(id)); err == nil {
			err = ends.word(uint64(data.n))
		}
	}
	if err != nil {
		ends.discard()
		data.discard()
		return err
	}
	endsRaw, err := ends.mapAndRemove()
	if err != nil {
		data.discard()
		return err
	}
	endsMap := &mappedWords{raw: endsRaw}
	dataRaw, err := data.mapAndRemove()
	if err != nil {
		return errors.Join(err, endsMap.release())
	}
	var errs []error
	for _, m := range l.maps {
		errs = append(errs, m.release())
	}
	*l = idList{ends: endsMap.words(), data: dataRaw, maps: []*mappedWords{endsMap, {raw: dataRaw}}}
	return errors.Join(errs...)
}

// close releases the index's mappings. Lookups must not follow.
func (bi *bandIndex) close() error {
	var errs []error
	for b, m := range bi.mapped {
		errs = append(errs, m.release())
		bi.mapped[b], bi.sorted[b] = nil, nil
	}
	for _, m := range bi.ids.maps {
		errs = append(errs, m.release())
	}
	bi.ids = idList{}
	return errors.Join(errs...)
}

// minBandTail is the tail length below which a band's tail is never merged.
const minBandTail = 4096

// add indexes the bands of record id's sketch.
func (bi *bandIndex) add(id string, sk *[ingest.MinHashSize]uint16) error {
	bi.append(id, sk)
	if bi.dir != "" && len(bi.ids.added) > max(minBandTail, len(bi.ids.ends)/8) {
		if err := bi.ids.spill(bi.dir); err != nil {
			return err
		}
	}
	for b := range bi.tail {
		if len(bi.tail[b]) > max(minBandTail, len(bi.sorted[b])/8) {
			if err := bi.merge(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// append adds the entries of record id's sketch to the tails.
func (bi *bandIndex) append(id string, sk *[ingest.MinHashSize]uint16) {
	ord := uint64(bi.ids.len())
	bi.ids.added = append(bi.ids.added, id)
	for b, h := range ingest.CVBands(sk) {
		bi.tail[b] = append(bi.tail[b], h>>32<<32|ord)
	}
}

// addPuts indexes the sketches of stored records.
func (bi *bandIndex) addPuts(puts []graph.Put) error {
	for i := range puts {
		for _, id := range puts[i].Identifiers {
			if id.Kind == ingest.KindCVSketch {
				if sk, ok := ingest.ParseCVSketch(id.Value); ok {
					if err := bi.add(puts[i].Record.RecordID, &sk); err != nil {
						return err
					}
				}
				break
			}
		}
	}
	return nil
}

// merge sorts band b's tail into its sorted entries, writing them into a new mapped
// file when the index has a directory.
func (bi *bandIndex) merge(b int) error {
	t := bi.tail[b]
	slices.Sort(t)
	s := bi.sorted[b]
	if len(s) == 0 && bi.dir == "" {
		bi.sorted[b], bi.tail[b] = t, nil
		return nil
	}
	if bi.dir != "" {
		return bi.mergeMapped(b, s, t)
	}
	out := make([]uint64, 0, len(s)+len(t))
	mergeSorted(s, t, func(x uint64) error {
		out = append(out, x)
		return nil
	})
	bi.sorted[b], bi.tail[b] = out, t[:0]
	return nil
}

// mergeMapped is merge into a new mapped file, written before it is mapped (see spill).
func (bi *bandIndex) mergeMapped(b int, s, t []uint64) error {
	f, err := newSpillFile(bi.dir)
	if err != nil {
		return fmt.Errorf("engine: CV band index: %w", err)
	}
	if err := mergeSorted(s, t, f.word); err != nil {
		f.discard()
		return fmt.Errorf("engine: CV band index: %w", err)
	}
	raw, err := f.mapAndRemove()
	if err != nil {
		return fmt.Errorf("engine: CV band index: %w", err)
	}
	m := &mappedWords{raw: raw}
	err = bi.mapped[b].release()
	bi.sorted[b], bi.tail[b], bi.mapped[b] = m.words(), t[:0], m
	return err
}

// mergeSorted calls emit with the elements of two ascending lists in ascending order.
func mergeSorted(s, t []uint64, emit func(uint64) error) error {
	i, j := 0, 0
	for i < len(s) && j < len(t) {
		var err error
		if s[i] <= t[j] {
			err = emit(s[i])
			i++
		} else {
			err = emit(t[j])
			j++
		}
		if err != nil {
			return err
		}
	}
	for _, x := range s[i:] {
		if err := emit(x); err != nil {
			return err
		}
	}
	for _, x := range t[j:] {
		if err := emit(x); err != nil {
			return err
		}
	}
	return nil
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
		ids = append(ids, bi.ids.at(int(o)))
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
	bi := &bandIndex{dir: bandScratch(e.store.Dir())}
	build := bi.buildOnHeap
	if bi.dir != "" {
		build = bi.buildMapped
	}
	if err := build(ctx, e.store); err != nil {
		return nil, errors.Join(fmt.Errorf("engine: build the CV band index: %w", err), bi.close())
	}
	e.log.Info().Int("records", bi.ids.len()).Bool("mapped", bi.dir != "").Dur("took", time.Since(start)).Msg("CV band index built")
	e.bands = bi
	return bi, nil
}

// buildOnHeap fills an empty index from the store's sketches, on the heap.
func (bi *bandIndex) buildOnHeap(ctx context.Context, st *graph.Store) error {
	err := st.ForEachIdentifierOfKind(ctx, ingest.KindCVSketch, func(id string, value []byte) error {
		if sk, ok := ingest.ParseCVSketch(string(value)); ok {
			bi.append(id, &sk)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// One sort per band, two bands at a time, rather than merges as the tails grow.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for b := range bi.tail {
		g.Go(func() error { return bi.merge(b) })
	}
	return g.Wait()
}

// buildMapped fills an empty index from the store's sketches in files it maps
// (bandmap.go): the scan writes each band's entries and the ids to their files through
// small buffers, and each band is then sorted in its mapping, so the heap holds none of
// it at any point.
func (bi *bandIndex) buildMapped(ctx context.Context, st *graph.Store) (err error) {
	var files []*spillFile // bands, then id ends, then id bytes
	defer func() {
		if err != nil {
			for _, f := range files {
				f.discard()
			}
		}
	}()
	for range ingest.LSHBands + 2 {
		f, err := newSpillFile(bi.dir)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	ends, data := files[ingest.LSHBands], files[ingest.LSHBands+1]
	ord := uint64(0)
	if err := st.ForEachIdentifierOfKind(ctx, ingest.KindCVSketch, func(id string, value []byte) error {
		sk, ok := ingest.ParseCVSketch(string(value))
		if !ok {
			return nil
		}
		for b, h := range ingest.CVBands(&sk) {
			if err := files[b].word(h>>32<<32 | ord); err != nil {
				return err
			}
		}
		ord++
		if err := data.bytes([]byte(id)); err != nil {
			return err
		}
		return ends.word(uint64(data.n))
	}); err != nil {
		return err
	}
	maps := make([]*mappedWords, len(files))
	for i, f := range files {
		raw, err := f.mapAndRemove()
		if err != nil {
			files = files[i+1:] // mapped or removed already
			for _, m := range maps {
				m.release()
			}
			return err
		}
		maps[i] = &mappedWords{raw: raw}
	}
	files = nil
	for b := range ingest.LSHBands {
		bi.mapped[b], bi.sorted[b] = maps[b], maps[b].words()
	}
	bi.ids = idList{ends: maps[ingest.LSHBands].words(), data: maps[ingest.LSHBands+1].raw,
		maps: []*mappedWords{maps[ingest.LSHBands], maps[ingest.LSHBands+1]}}
	// Each band sorted in its mapping, two at a time.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for b := range bi.sorted {
		g.Go(func() error {
			slices.Sort(bi.sorted[b])
			return nil
		})
	}
	return g.Wait()
}

// indexBands adds stored records to the band index, if one is built. writeMu must be
// held. If that fails (a full disk for a merged band's file), the index is dropped and
// built from the store when next needed, so that it never lacks a stored record.
func (e *Engine) indexBands(puts []graph.Put) {
	if e.bands == nil {
		return
	}
	if err := e.bands.addPuts(puts); err != nil {
		e.log.Warn().Err(err).Msg("CV band index dropped; it is built again from the store when next needed")
		e.dropBands()
	}
}

// dropBands releases the band index. writeMu must be held.
func (e *Engine) dropBands() {
	if e.bands == nil {
		return
	}
	if err := e.bands.close(); err != nil {
		e.log.Warn().Err(err).Msg("releasing the CV band index")
	}
	e.bands = nil
}

// Close releases what the engine holds outside the store (the CV band index's mapped
// files). The store is the caller's to close; the engine must not be used after.
func (e *Engine) Close() error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.dropBands()
	return nil
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
