package graph

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/util"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zapv17 "github.com/blevesearch/zapx/v17"
	"github.com/rs/zerolog"
)

// An index built from scratch (a bulk load, Reindex, a missing index) is written
// offline rather than through live batches. A live index introduces every batch as a
// segment, persists it, and merges segments in the background over and over as they
// pile up (a fifth of indexing CPU in a profile); offline, each segment of bulkBatch
// documents is written once and the segments are merged once, bulkMergeMax at a time,
// into the one segment the index then opens with.
//
// Scorch's own offline builder does this on the goroutine that hands it documents, and
// building documents and segments was about half of a bulk load's CPU: the goroutine
// doing it held one core while the other did the rest, and set the pace of the load
// (about 10,000 records/s at 1M records). Here indexWorkers goroutines each build
// documents and segments of their own; the merge and the index's root come after.
// Scorch's builder still writes the root (root.bolt, whose format is scorch's own): it
// is given one placeholder document, and the segment it writes is then replaced by the
// merged one. The root names its segment file and the segment type and version, nothing
// of the segment's content, and the builder is made to use the same zap version as the
// workers (forceSegmentType and forceSegmentVersion).
//
// Memory is bounded by the workers' batches of documents and one merge, however many
// records come. The index cannot delete or replace a document: every record id must
// come at most once, which holds for a scan of the store and for a bulk load of
// distinct records.

// bulkBatch is how many documents are in flight in segments being built, over all
// workers: a record's document and its share of the segment being built take about
// 30 KB, so the batches hold about 150 MB at most.
const bulkBatch = 5000

// bulkMergeMax is how many segments one merge takes. At bulkBatch/indexWorkers records
// a segment, one round merges up to 1.28 million records on two cores (640,000 on
// four), in which every record costs about as much as a tenth of indexing it. A merge
// holds no documents, only the open segments (an open file each) and the merged
// dictionary being written.
const bulkMergeMax = 512

// segmentPlugin is the zap version the workers write, which the root then names.
var segmentPlugin = &zapv17.ZapPlugin{}

// rootPlaceholderID is the id of the one document scorch's builder indexes, in a
// segment that the merged one replaces: no record has it.
const rootPlaceholderID = "\x00root"

// indexWorkers is how many goroutines build documents and segments.
func indexWorkers() int { return min(runtime.GOMAXPROCS(0), 4) }

// bulkIndex replaces the index with one built offline from the records that fill hands
// to add. add may be called many times, from one goroutine; each record id must come at
// most once. Memory stays bounded however many records come. Searches and index writes
// wait until it is done (see rebuild); an in-memory index is filled with batches.
func (n *nameIndex) bulkIndex(fill func(add func([]Put) error) error) error {
	return n.rebuild(func(fresh *nameIndex) error { return fill(fresh.indexRecords) })
}

// offlineIndex is an index being built in a directory of its own (see the file comment).
type offlineIndex struct {
	dir      string
	hashed   bool
	mapping  []byte
	fault    error // nameIndex.buildFault
	batch    int   // documents per segment
	mergeMax int

	work    chan []Put
	workers sync.WaitGroup
	stopped bool

	mu   sync.Mutex
	err  error    // the first worker error
	segs []string // segment files written, in no particular order
	rest []index.Document
	seq  int // names segment files
}

// indexMetaJSON is Bleve's index_meta.json for a scorch index, as bleve.New writes it:
// the builder writes only the store below it.
const indexMetaJSON = `{"storage":"scorch","index_type":"scorch"}`

// newOfflineIndex starts building an index in dir, which must not exist.
func newOfflineIndex(dir string, n *nameIndex) (*offlineIndex, error) {
	hashed := n.hasher != nil
	mappingJSON, err := json.Marshal(indexMapping(hashed))
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte(indexMetaJSON), 0o600); err != nil {
		return nil, err
	}
	workers := indexWorkers()
	o := &offlineIndex{
		dir: dir, hashed: hashed, mapping: mappingJSON,
		batch:    max(cmp.Or(n.bulkBatch, bulkBatch)/workers, 1),
		mergeMax: cmp.Or(n.bulkMergeMax, bulkMergeMax),
		fault:    n.buildFault,
		work:     make(chan []Put, workers),
	}
	for range workers {
		o.workers.Add(1)
		go o.build(n.newDocBuilder(n.session()))
	}
	return o, nil
}

// add hands records to the workers; it returns the first error a worker met. A record
// with nothing to index is left out, which in a new index is what a delete would leave.
// The caller may reuse puts once add returns: the Puts are copied (not the records
// they point to, which the caller must leave alone).
func (o *offlineIndex) add(puts []Put) error {
	if err := o.failed(); err != nil {
		return err
	}
	o.work <- slices.Clone(puts)
	return nil
}

func (o *offlineIndex) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

func (o *offlineIndex) fail(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		o.err = err
	}
}

// build is a worker: it builds the documents of the records it is handed and writes a
// segment of every o.batch of them. What is left when the work ends goes to o.rest.
func (o *offlineIndex) build(db *docBuilder) {
	defer o.workers.Done()
	var docs []index.Document
	for puts := range o.work {
		if o.failed() != nil {
			continue // drain, so that add never blocks
		}
		for _, p := range puts {
			doc := db.build(p.Record, p.Identifiers)
			if doc == nil {
				continue
			}
			docs = append(docs, doc)
			if len(docs) < o.batch {
				continue
			}
			if err := o.writeSegment(docs); err != nil {
				o.fail(err)
				break
			}
			clear(docs)
			docs = docs[:0]
		}
	}
	o.mu.Lock()
	o.rest = append(o.rest, docs...)
	o.mu.Unlock()
}

// writeSegment builds a segment of docs and writes it to a file of its own, as scorch's
// builder does with a batch: the _id field is added and analysed (the other fields come
// analysed from docBuilder, whose Analyze does nothing).
func (o *offlineIndex) writeSegment(docs []index.Document) error {
	for _, d := range docs {
		d.AddIDField()
		d.VisitFields(func(f index.Field) {
			if f.Options().IsIndexed() {
				f.Analyze()
			}
		})
	}
	seg, _, err := segmentPlugin.New(docs)
	if err != nil {
		return fmt.Errorf("graph: build index segment: %w", err)
	}
	unpersisted, ok := seg.(segment.UnpersistedSegment)
	if !ok {
		return fmt.Errorf("graph: index segment of type %T cannot be written", seg)
	}
	path := o.segmentPath()
	if err := unpersisted.Persist(path); err != nil {
		return fmt.Errorf("graph: write index segment: %w", err)
	}
	o.mu.Lock()
	o.segs = append(o.segs, path)
	o.mu.Unlock()
	return nil
}

// segmentPath names a new segment file in the build's directory.
func (o *offlineIndex) segmentPath() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	return filepath.Join(o.dir, fmt.Sprintf("build-%06d.zap", o.seq))
}

// stop ends the work and waits for the workers; it returns the first error one met.
func (o *offlineIndex) stop() error {
	if !o.stopped {
		o.stopped = true
		close(o.work)
		o.workers.Wait()
	}
	return o.failed()
}

// abort stops the workers of a build that is given up; the caller removes the directory.
func (o *offlineIndex) abort() { _ = o.stop() }

// finish writes the last documents' segment, merges the segments into one and writes
// the index's root. An index without documents is created the ordinary way.
func (o *offlineIndex) finish() error {
	if err := cmp.Or(o.stop(), o.fault); err != nil {
		return err
	}
	if len(o.rest) > 0 {
		if err := o.writeSegment(o.rest); err != nil {
			return err
		}
		o.rest = nil
	}
	if len(o.segs) == 0 {
		return o.createEmpty()
	}
	merged, err := o.merge(o.segs)
	if err != nil {
		return err
	}
	store := filepath.Join(o.dir, "store")
	if err := o.writeRoot(store); err != nil {
		return err
	}
	// The root's segment is the builder's first: 000000000002.zap, as the builder names
	// a one-batch index's segment.
	return os.Rename(merged, filepath.Join(store, fmt.Sprintf("%012x.zap", 2)))
}

// merge merges the segment files into one, o.mergeMax at a time, and returns its path.
func (o *offlineIndex) merge(paths []string) (string, error) {
	for len(paths) > 1 {
		take := min(o.mergeMax, len(paths))
		out := o.segmentPath()
		if err := mergeSegmentFiles(paths[:take], out); err != nil {
			return "", err
		}
		paths = append(paths[take:], out)
	}
	return paths[0], nil
}

// mergeSegmentFiles merges segment files into out and removes them.
func mergeSegmentFiles(paths []string, out string) (err error) {
	segs := make([]segment.Segment, 0, len(paths))
	defer func() {
		for _, s := range segs {
			err = errors.Join(err, s.Close())
		}
		if err == nil {
			for _, p := range paths {
				err = errors.Join(err, os.Remove(p))
			}
		}
	}()
	for _, p := range paths {
		s, err := segmentPlugin.Open(p)
		if err != nil {
			return fmt.Errorf("graph: open index segment for merge: %w", err)
		}
		segs = append(segs, s)
	}
	if _, _, err := segmentPlugin.Merge(segs, make([]*roaring.Bitmap, len(segs)), out, nil, nil); err != nil {
		return fmt.Errorf("graph: merge index segments: %w", err)
	}
	return nil
}

// writeRoot has scorch's builder write an index of one placeholder document at store:
// its root, which finish points at the merged segment.
func (o *offlineIndex) writeRoot(store string) error {
	b, err := scorch.NewBuilder(map[string]any{
		"path":            store,
		"buildPathPrefix": o.dir,
		// The root names the segment type and version: the workers'.
		"forceSegmentType":    segmentPlugin.Type(),
		"forceSegmentVersion": int(segmentPlugin.Version()),
		// The builder has no SetInternal: Bleve's own builder passes the mapping this
		// way, and the mapping version goes with it so that openNameIndex accepts the
		// index.
		"internal": map[string][]byte{
			string(util.MappingInternalKey): o.mapping,
			string(mappingInternalKey):      []byte(mappingVersion(o.hashed)),
		},
	})
	if err != nil {
		return err
	}
	if err := b.Index(document.NewDocument(rootPlaceholderID)); err != nil {
		return errors.Join(err, b.Close())
	}
	return b.Close()
}

// createEmpty makes dir an empty index: the builder cannot finish one without
// documents.
func (o *offlineIndex) createEmpty() error {
	if err := os.RemoveAll(o.dir); err != nil {
		return err
	}
	idx, err := bleve.New(o.dir, indexMapping(o.hashed))
	if err != nil {
		return err
	}
	if err := idx.SetInternal(mappingInternalKey, []byte(mappingVersion(o.hashed))); err != nil {
		return errors.Join(err, idx.Close())
	}
	return idx.Close()
}

// indexBuild is an offline build that goes on after a bulk load's Finish (bulk.go).
type indexBuild struct {
	finished chan struct{}
	err      error
}

// newIndexBuild returns the build whose result done brings, and logs it. failed is
// called if the build fails.
func newIndexBuild(done <-chan error, records int, log zerolog.Logger, failed func()) *indexBuild {
	b := &indexBuild{finished: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(b.finished)
		if err := <-done; err != nil {
			b.err = fmt.Errorf("graph: bulk load index: %w", err)
			failed()
			log.Error().Err(err).Msg("bulk load: search index not built; the next open rebuilds it")
			return
		}
		log.Info().Int("records", records).Dur("took", time.Since(start)).Msg("bulk load: search index built")
	}()
	return b
}

// wait waits for the build and returns its error.
func (b *indexBuild) wait() error {
	<-b.finished
	return b.err
}

// awaitIndex makes b the build that waitIndex waits for.
func (s *Store) awaitIndex(b *indexBuild) { s.building.Store(b) }

// waitIndex waits until the index a bulk load left building is built, if any, and
// returns the build's error.
func (s *Store) waitIndex() error {
	if b := s.building.Load(); b != nil {
		return b.wait()
	}
	return nil
}
