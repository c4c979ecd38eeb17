package graph

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/personagraph/personagraph/ingest"
)

// nameIndex is the Bleve index of record names. It holds derived data only: the store in
// Badger is the truth, and the index can be rebuilt from it.
type nameIndex struct {
	// mu guards idx, which rebuild replaces: every use holds it for reading.
	mu   sync.RWMutex
	idx  bleve.Index
	path string // "" in memory
	// hasher is set when the store is encrypted: the index then holds only keyed hashes
	// of the folded name tokens (field "tokens"), never the name itself.
	hasher *tokenHasher
}

// nameDoc is what is indexed per record.
type nameDoc struct {
	Name   string `json:"name"`   // as presented
	Folded string `json:"folded"` // diacritics and case folded, for "Jose" to find "José"
}

// hashedDoc is what is indexed per record in an encrypted store: keyed hashes of the
// folded name tokens, matched exactly (no fuzziness: hashes of near names are unrelated).
type hashedDoc struct {
	Tokens []string `json:"tokens"`
}

// openNameIndex opens the index at path, or creates it; created says it did, so that the
// caller can fill a new index from the store (the index may have been deleted, or a
// rebuild interrupted between removing the old index and renaming the new one).
func openNameIndex(path string, hasher *tokenHasher) (_ *nameIndex, created bool, _ error) {
	if path == "" {
		idx, err := bleve.NewMemOnly(nameMapping())
		if err != nil {
			return nil, false, fmt.Errorf("graph: create in-memory index: %w", err)
		}
		return &nameIndex{idx: idx, hasher: hasher}, true, nil
	}
	if err := os.RemoveAll(path + rebuildSuffix); err != nil {
		return nil, false, fmt.Errorf("graph: remove unfinished index rebuild: %w", err)
	}
	idx, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		created = true
		if err = createIndexAt(path); err == nil {
			idx, err = bleve.Open(path)
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("graph: open index %s: %w", path, err)
	}
	return &nameIndex{idx: idx, path: path, hasher: hasher}, created, nil
}

// createIndexAt creates an empty index at path atomically: a kill while Bleve writes a
// new index's metadata leaves a directory it cannot open (the crash test found this), so
// the index is made beside path and renamed into place.
func createIndexAt(path string) error {
	tmp := path + rebuildSuffix
	idx, err := bleve.New(tmp, nameMapping())
	if err != nil {
		return err
	}
	if err := idx.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// rebuildSuffix names the directory a rebuild fills before it replaces the index.
const rebuildSuffix = ".rebuild"

// rebuild replaces the index with a new one that fill writes. It holds the lock
// throughout, so that no write lands in the old index after fill has read the store:
// searches and index writes wait until it is done.
func (n *nameIndex) rebuild(fill func(*nameIndex) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	var idx bleve.Index
	var err error
	tmp := n.path + rebuildSuffix
	if n.path == "" {
		idx, err = bleve.NewMemOnly(nameMapping())
	} else if err = os.RemoveAll(tmp); err == nil {
		idx, err = bleve.New(tmp, nameMapping())
	}
	if err != nil {
		return fmt.Errorf("graph: create index: %w", err)
	}
	fresh := &nameIndex{idx: idx, hasher: n.hasher}
	if err := fill(fresh); err != nil {
		err = errors.Join(err, idx.Close())
		if n.path != "" {
			err = errors.Join(err, os.RemoveAll(tmp))
		}
		return err
	}
	if err := n.idx.Close(); err != nil {
		return errors.Join(fmt.Errorf("graph: close old index: %w", err), idx.Close())
	}
	if n.path == "" {
		n.idx = idx
		return nil
	}
	if err := idx.Close(); err != nil {
		return fmt.Errorf("graph: close new index: %w", err)
	}
	// A crash between these two steps leaves no index at path; Open then rebuilds it.
	if err := os.RemoveAll(n.path); err != nil {
		return fmt.Errorf("graph: remove old index: %w", err)
	}
	if err := os.Rename(tmp, n.path); err != nil {
		return fmt.Errorf("graph: replace index: %w", err)
	}
	if n.idx, err = bleve.Open(n.path); err != nil {
		return fmt.Errorf("graph: open rebuilt index: %w", err)
	}
	return nil
}

func nameMapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	doc := bleve.NewDocumentMapping()
	for _, f := range []string{"name", "folded"} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = "standard"
		fm.Store = false
		doc.AddFieldMappingsAt(f, fm)
	}
	// Each hashed token is one term: the keyword analyzer keeps it whole.
	tm := bleve.NewTextFieldMapping()
	tm.Analyzer = "keyword"
	tm.Store = false
	doc.AddFieldMappingsAt("tokens", tm)
	m.DefaultMapping = doc
	return m
}

// indexRecords (re)indexes records in one Bleve batch: single-document writes make a
// segment each and soon run out of file handles.
func (n *nameIndex) indexRecords(recs []*ingest.Record) error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	b := n.idx.NewBatch()
	for _, r := range recs {
		name := r.Name.Display()
		if name == "" {
			b.Delete(r.RecordID)
			continue
		}
		var doc any = nameDoc{Name: name, Folded: ingest.FoldName(name)}
		if n.hasher != nil {
			doc = hashedDoc{Tokens: n.hasher.hashName(ingest.FoldName(name))}
		}
		if err := b.Index(r.RecordID, doc); err != nil {
			return fmt.Errorf("graph: index record %q: %w", r.RecordID, err)
		}
	}
	if err := n.idx.Batch(b); err != nil {
		return fmt.Errorf("graph: index batch: %w", err)
	}
	return nil
}

func (n *nameIndex) close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.idx.Close()
}

func (n *nameIndex) search(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.idx.SearchInContext(ctx, req)
}

// Hit is one search result.
type Hit struct {
	RecordID string  `json:"record_id"`
	Score    float64 `json:"score"`
}

// SearchNames finds records by name, tolerating one edit per term. In an encrypted store
// the index holds keyed token hashes, so a term matches only exactly (after folding).
func (s *Store) SearchNames(ctx context.Context, q string, limit int) ([]Hit, error) {
	folded := ingest.FoldName(q)
	if folded == "" {
		return nil, nil
	}
	var sq query.Query
	if h := s.index.hasher; h != nil {
		var terms []query.Query
		for _, t := range h.hashName(folded) {
			tq := bleve.NewTermQuery(t)
			tq.SetField("tokens")
			terms = append(terms, tq)
		}
		sq = bleve.NewDisjunctionQuery(terms...)
	} else {
		mq := bleve.NewMatchQuery(folded)
		mq.SetField("folded")
		mq.SetFuzziness(1)
		sq = mq
	}
	req := bleve.NewSearchRequestOptions(sq, limit, 0, false)
	res, err := s.index.search(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("graph: search %q: %w", q, err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		hits = append(hits, Hit{RecordID: h.ID, Score: h.Score})
	}
	return hits, nil
}
