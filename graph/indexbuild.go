package graph

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/util"
)

// An index built from scratch (a bulk load, Reindex, a missing index) is written by
// scorch's offline builder rather than through live batches. A live index introduces
// every batch as a segment, persists it, and merges segments in the background over and
// over as they pile up (a fifth of indexing CPU in a profile); the builder writes a
// segment file per bulkBatch documents and merges them once, bulkMergeMax at a time,
// into the one segment the index then opens with. Memory is bounded by one batch of
// documents and one merge, however many records come.
//
// The builder cannot delete or replace a document: every record id must come at most
// once, which holds for a scan of the store and for a bulk load of distinct records.

// bulkBatch is how many documents the builder puts in one segment before writing it:
// a record's document and its share of the segment being built take about 30 KB, so a
// batch holds about 150 MB at most.
const bulkBatch = 5000

// bulkMergeMax is how many segments one merge of the builder takes: at 5,000 records a
// segment, up to 1.28 million records are merged in one round, in which every record
// costs about as much as a tenth of indexing it. A merge holds no documents, only the
// open segments and the merged dictionary being written.
const bulkMergeMax = 256

// bulkIndex replaces the index with one built offline from the records that fill hands
// to add. add may be called many times, from one goroutine; each record id must come at
// most once. Memory stays bounded however many records come. Searches and index writes
// wait until it is done (see rebuild); an in-memory index is filled with batches.
func (n *nameIndex) bulkIndex(fill func(add func([]Put) error) error) error {
	return n.rebuild(func(fresh *nameIndex) error { return fill(fresh.indexRecords) })
}

// offlineIndex is an index being built by scorch's builder in a directory of its own.
type offlineIndex struct {
	dir    string
	hashed bool
	b      *scorch.Builder
	db     *docBuilder
	docs   int
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
	b, err := scorch.NewBuilder(map[string]any{
		"path": filepath.Join(dir, "store"),
		// Segments are written and merged inside dir, so that a crash leaves nothing
		// that Open does not remove with dir (rebuildSuffix), and the final rename stays
		// on one file system.
		"buildPathPrefix": dir,
		"batchSize":       cmp.Or(n.bulkBatch, bulkBatch),
		"mergeMax":        cmp.Or(n.bulkMergeMax, bulkMergeMax),
		// The builder has no SetInternal: Bleve's own builder passes the mapping this way,
		// and the mapping version goes with it so that openNameIndex accepts the index.
		"internal": map[string][]byte{
			string(util.MappingInternalKey): mappingJSON,
			string(mappingInternalKey):      []byte(mappingVersion(hashed)),
		},
	})
	if err != nil {
		return nil, err
	}
	return &offlineIndex{dir: dir, hashed: hashed, b: b, db: n.newDocBuilder(n.session())}, nil
}

// add indexes records. A record with nothing to index is left out, which in a new index
// is what a delete would leave.
func (o *offlineIndex) add(puts []Put) error {
	for _, p := range puts {
		doc := o.db.build(p.Record, p.Identifiers)
		if doc == nil {
			continue
		}
		if err := o.b.Index(doc); err != nil {
			return fmt.Errorf("graph: index record %q: %w", p.Record.RecordID, err)
		}
		o.docs++
	}
	return nil
}

// finish writes the last segment, merges the segments into one and writes the index's
// root. The builder cannot finish an index without documents: an empty one is created
// the ordinary way instead.
func (o *offlineIndex) finish() error {
	if o.docs > 0 {
		return o.b.Close()
	}
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
