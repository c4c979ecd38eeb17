package graph

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
)

// The bulk loader fills an empty store with a large file far faster than PutBatch: every
// key and value PutBatch would write (recordEntries) goes to an external sort
// (extsort.go) instead of a transaction, and the sorted pairs are streamed into Badger
// with its StreamWriter, which writes finished tables straight to the last level. There
// is no memtable, no write-ahead log and no compaction, which were most of PutBatch's
// cost: a record's 25-30 keys were written to the log, then to a level-0 table, then
// rewritten by compaction level after level. The search index is built beside it,
// offline (indexbuild.go).
//
// The index's last step, merging its segments, is left running when Finish returns: at
// 1M records it took 26 s of one core, longer than the stream into Badger beside it,
// and nothing but the index needs it. Clustering, which reads only Badger and leaves a
// core idle much of the time, runs beside it instead. Searches and index writes wait
// for it (the rebuild holds the index's lock), and Close waits for it and reports its
// error.
//
// Crash safety: the load is all or nothing. A marker file is made before the first
// table is written and removed after the last is; Open finds a marker left by a killed
// load and empties the store, so that sending the same file again stores every record
// exactly once. Only an empty store takes a bulk load, so the wipe never loses anything
// stored before the load. A kill after the marker is gone but before the index is
// built leaves the index's own marker (dirtySuffix), and Open rebuilds the index from
// the records.
//
// A record id given twice in one load cannot be streamed twice (the StreamWriter takes
// each key once, and the second version's postings replace the first's). Later
// occurrences are kept aside and stored through PutBatch once the stream is done, which
// gives them the usual result: unchanged, or a new version. Past MaxDeferred of them,
// the loader finishes the stream early and stores the rest of the load through PutBatch.

// bulkMarker names the file that exists while a bulk load runs (bulk.go).
const bulkMarker = "BULK-LOAD-INCOMPLETE"

// bulkSortDir names the directory of the external sort's runs.
const bulkSortDir = "bulk-sort"

// BulkOptions configure BulkLoad. The zero value of each field means its default.
type BulkOptions struct {
	// Memory is the sort buffer in bytes; the loader holds at most about twice this in
	// keys and values. Default: 64 MiB.
	Memory int
	// MaxDeferred is how many repeated record ids are kept aside in memory before the
	// loader gives up streaming (see above). Default: 20,000.
	MaxDeferred int
}

// BulkStats counts what a bulk load stored.
type BulkStats struct {
	New, Updated, Unchanged int
}

// BulkLoader is a bulk load in progress; see BulkLoad. Its methods are not safe for
// concurrent use.
type BulkLoader struct {
	s       *Store
	opts    BulkOptions
	sorter  *kvSorter
	seen    idSet
	defered []Put
	stats   BulkStats
	// direct is set once the stream is finished early: Add then calls PutBatch.
	direct bool

	index     chan []Put // to the index builder
	indexDone chan error
	// indexBuild is the index build once no more records go to it (endIndex).
	indexBuild *indexBuild
	finished   bool

	// streamed, when set, is called after each table prefix went into the StreamWriter:
	// the crash test kills the process there, with part of the load in Badger's tables.
	streamed func(prefix byte)
}

// BulkLoad starts a bulk load into s, which must be empty (ErrNotEmpty otherwise) and on
// disk. Add records with Add and end with Finish, or Abort. Other writes to the store
// must wait until the load ends: Badger refuses them meanwhile.
func (s *Store) BulkLoad(ctx context.Context, opts *BulkOptions) (_ *BulkLoader, err error) {
	if s.dir == "" {
		return nil, errors.New("graph: bulk load needs a store on disk")
	}
	// A previous load's index must be done: this one replaces it.
	if err := s.waitIndex(); err != nil {
		return nil, err
	}
	o := BulkOptions{}
	if opts != nil {
		o = *opts
	}
	if o.Memory <= 0 {
		o.Memory = 64 << 20
	}
	if o.MaxDeferred <= 0 {
		o.MaxDeferred = 20_000
	}
	empty, err := s.empty()
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, ErrNotEmpty
	}
	if err := s.queue.wait(); err != nil {
		return nil, err
	}
	if err := writeSyncedFile(filepath.Join(s.dir, bulkMarker)); err != nil {
		return nil, fmt.Errorf("graph: start bulk load: %w", err)
	}
	sorter, err := newKVSorter(filepath.Join(s.dir, bulkSortDir), o.Memory, s.key != nil)
	if err != nil {
		return nil, err
	}
	l := &BulkLoader{s: s, opts: o, sorter: sorter, seen: newIDSet(), index: make(chan []Put, 2), indexDone: make(chan error, 1)}
	// Clusters are stale after the load, as after any write.
	if err := sorter.add([]byte{keyStale}, nil); err != nil {
		return nil, errors.Join(err, sorter.close())
	}
	go func() {
		l.indexDone <- s.index.bulkIndex(func(add func([]Put) error) error {
			var err error
			for puts := range l.index {
				if err == nil {
					err = add(puts)
				}
			}
			return err
		})
	}()
	return l, nil
}

// empty says whether the store holds no key at all.
func (s *Store) empty() (bool, error) {
	empty := true
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		it.Rewind()
		empty = !it.Valid()
		return nil
	})
	return empty, err
}

// Add adds records to the load. Their order matters only for a record id given more than
// once: the later content wins, as with PutBatch. The loader keeps puts only as long as
// the index needs them; the caller must not change them afterwards.
func (l *BulkLoader) Add(ctx context.Context, puts []Put) error {
	if l.finished {
		return errors.New("graph: bulk load already finished")
	}
	if l.direct {
		res, err := l.s.PutBatch(ctx, puts)
		l.count(res)
		return err
	}
	fresh := puts[:0:0]
	for _, p := range puts {
		if !l.seen.add(p.Record.RecordID) {
			l.defered = append(l.defered, p)
			continue
		}
		meta := recordMeta{version: 1, observed: p.Record.Observed.UnixNano(), signals: p.Signals, hash: contentHash(p.Record)}
		if err := recordEntries(p, meta, l.sorter.add); err != nil {
			return fmt.Errorf("graph: bulk load record %q: %w", p.Record.RecordID, err)
		}
		fresh = append(fresh, p)
		l.stats.New++
	}
	if len(fresh) > 0 {
		select {
		case l.index <- fresh:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if len(l.defered) > l.opts.MaxDeferred {
		if err := l.stream(ctx); err != nil {
			return err
		}
		l.direct = true
	}
	return ctx.Err()
}

// Stats counts what the load has taken so far: records kept aside count when stored.
func (l *BulkLoader) Stats() BulkStats { return l.stats }

func (l *BulkLoader) count(res []PutResult) {
	for _, r := range res {
		switch r {
		case New:
			l.stats.New++
		case Updated:
			l.stats.Updated++
		case Unchanged:
			l.stats.Unchanged++
		}
	}
}

// stream writes the sorted pairs into Badger, leaves the index to finish (see the file
// comment), removes the marker and stores the records kept aside. After it, the store is
// an ordinary store.
func (l *BulkLoader) stream(ctx context.Context) error {
	start := time.Now()
	l.s.awaitIndex(l.endIndex())
	if err := l.writeSorted(ctx); err != nil {
		return err
	}
	l.s.log.Info().Int("records", l.stats.New).Dur("took", time.Since(start)).Msg("bulk load: sorted keys streamed into Badger")
	if err := l.sorter.close(); err != nil {
		return fmt.Errorf("graph: remove sort runs: %w", err)
	}
	if err := removeSynced(filepath.Join(l.s.dir, bulkMarker)); err != nil {
		return fmt.Errorf("graph: end bulk load: %w", err)
	}
	defered := l.defered
	l.defered = nil
	l.seen = idSet{}
	for len(defered) > 0 {
		n := min(len(defered), 1000)
		res, err := l.s.PutBatch(ctx, defered[:n])
		if err != nil {
			return err
		}
		l.count(res)
		defered = defered[n:]
	}
	return nil
}

// writeSorted streams every sorted pair into Badger, one stream per table prefix.
func (l *BulkLoader) writeSorted(ctx context.Context) error {
	sw := l.s.db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		return fmt.Errorf("graph: bulk load: %w", err)
	}
	// Two prefixes at a time, largest first: merging runs, encoding and building
	// tables is CPU work, and each prefix is a stream of its own.
	prefixes := l.sorter.prefixes()
	slices.SortStableFunc(prefixes, func(a, b byte) int { return cmp.Compare(l.sorter.parts[b].bytes, l.sorter.parts[a].bytes) })
	work := make(chan byte, len(prefixes))
	for _, p := range prefixes {
		work <- p
	}
	close(work)
	g, gctx := errgroup.WithContext(ctx)
	for range 2 {
		g.Go(func() error { return l.streamPrefixes(gctx, sw, work) })
	}
	if err := g.Wait(); err != nil {
		sw.Cancel()
		return fmt.Errorf("graph: bulk load: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("graph: bulk load: %w", err)
	}
	return nil
}

// streamPrefixes writes the sorted pairs of each prefix from work into sw, a stream per
// prefix.
func (l *BulkLoader) streamPrefixes(ctx context.Context, sw *badger.StreamWriter, work <-chan byte) error {
	buf := z.NewBuffer(8<<20, "graph.bulk")
	defer buf.Release()
	kv := &pb.KV{Version: 1}
	send := func() error {
		if buf.LenNoPadding() == 0 {
			return nil
		}
		err := sw.Write(buf)
		buf.Reset()
		return err
	}
	for prefix := range work {
		if err := ctx.Err(); err != nil {
			return err
		}
		kv.StreamId = uint32(prefix)
		err := l.sorter.each(prefix, func(key, value []byte) error {
			kv.Key, kv.Value = key, value
			badger.KVToBuffer(kv, buf)
			if buf.LenNoPadding() >= 4<<20 {
				if err := ctx.Err(); err != nil {
					return err
				}
				return send()
			}
			return nil
		})
		if err == nil {
			// Close the prefix's stream: Badger then writes its last table and drops its
			// table builder, which reserves twice a table's size. Only the prefixes
			// being written have one open.
			badger.KVToBuffer(&pb.KV{StreamId: kv.StreamId, StreamDone: true}, buf)
			err = send()
		}
		if err != nil {
			return err
		}
		if l.streamed != nil {
			l.streamed(prefix)
		}
	}
	return nil
}

// Finish writes everything added into the store and returns what was stored. On error
// the load is aborted: the store is empty again (or, when the stream was finished early,
// holds what was stored before the error, as PutBatch would).
func (l *BulkLoader) Finish(ctx context.Context) (BulkStats, error) {
	if l.finished {
		return l.stats, errors.New("graph: bulk load already finished")
	}
	if !l.direct {
		if err := l.stream(ctx); err != nil {
			return l.stats, errors.Join(err, l.Abort())
		}
	}
	l.finished = true
	return l.stats, nil
}

// Abort ends a load without storing it: the store is emptied again. A load that already
// streamed (Finish, or past MaxDeferred) is not undone.
func (l *BulkLoader) Abort() error {
	if l.finished {
		return nil
	}
	l.finished = true
	if l.direct {
		return nil
	}
	b := l.endIndex()
	b.wait() // its error is moot: the index is emptied with the rest
	l.s.building.CompareAndSwap(b, nil)
	return errors.Join(l.sorter.close(), l.s.wipeBulk())
}

// endIndex tells the index builder that no more records come, once however often it
// is called, and returns the build, which goes on.
func (l *BulkLoader) endIndex() *indexBuild {
	if l.indexBuild == nil {
		close(l.index)
		l.indexBuild = newIndexBuild(l.indexDone, l.stats.New, l.s.log, l.s.index.markIncomplete)
	}
	return l.indexBuild
}

// wipeBulk empties a store whose bulk load did not finish: records, postings and index.
func (s *Store) wipeBulk() error {
	if err := s.db.DropAll(); err != nil {
		return fmt.Errorf("graph: drop unfinished bulk load: %w", err)
	}
	if s.index != nil {
		if err := s.index.rebuild(func(*nameIndex) error { return nil }); err != nil {
			return err
		}
	}
	return removeSynced(filepath.Join(s.dir, bulkMarker))
}

// recoverBulk empties the store when a bulk load was killed (its marker is left): part
// of its tables may be in Badger. It runs before Badger and the index are opened and
// removes their directories rather than asking Badger to drop everything: a bulk load
// only starts on an empty store, so nothing else is in them, and a kill in the middle of
// Badger's DropAll left a directory Badger could not open (the crash test found this).
// A kill during the removal leaves the marker, and the next Open removes the rest.
func recoverBulk(dir string, log zerolog.Logger) error {
	marker := filepath.Join(dir, bulkMarker)
	if _, err := os.Stat(marker); errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	log.Warn().Str("dir", dir).Msg("a bulk load did not finish: emptying the store; send the same input again")
	for _, sub := range []string{"badger", "index.bleve", "index.bleve" + dirtySuffix, bulkSortDir} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return fmt.Errorf("graph: remove unfinished bulk load: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return removeSynced(marker)
}

// writeSyncedFile creates an empty file and syncs it and its directory, so that it
// exists after a crash.
func writeSyncedFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// removeSynced removes a file and syncs its directory, so that it stays gone after a
// crash.
func removeSynced(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// idSet remembers the record ids of a load by a 64-bit hash, in an open-addressing
// table: 8 to 16 bytes per record, where a map of strings took over 60. Two ids with the
// same hash look like a repeat, which only sends the second down the slower, exact path.
type idSet struct {
	seed  maphash.Seed
	slots []uint64 // 0 is empty; a hash of 0 is stored as 1
	n     int
}

func newIDSet() idSet {
	return idSet{seed: maphash.MakeSeed(), slots: make([]uint64, 1<<16)}
}

// add records id and says whether it was new.
func (s *idSet) add(id string) bool {
	h := maphash.String(s.seed, id)
	if h == 0 {
		h = 1
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	if !s.insert(h) {
		return false
	}
	s.n++
	return true
}

func (s *idSet) insert(h uint64) bool {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	for _, h := range old {
		if h != 0 {
			s.insert(h)
		}
	}
}
