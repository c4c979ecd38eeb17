package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/personagraph/personagraph/ingest"
)

// nameIndex is the Bleve index of record names. It holds derived data only: the store in
// Badger is the truth, and the index can be rebuilt from it.
type nameIndex struct {
	idx bleve.Index
}

// nameDoc is what is indexed per record.
type nameDoc struct {
	Name   string `json:"name"`   // as presented
	Folded string `json:"folded"` // diacritics and case folded, for "Jose" to find "José"
}

func openNameIndex(path string) (*nameIndex, error) {
	if path == "" {
		idx, err := bleve.NewMemOnly(nameMapping())
		if err != nil {
			return nil, fmt.Errorf("graph: create in-memory index: %w", err)
		}
		return &nameIndex{idx: idx}, nil
	}
	idx, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		idx, err = bleve.New(path, nameMapping())
	}
	if err != nil {
		return nil, fmt.Errorf("graph: open index %s: %w", path, err)
	}
	return &nameIndex{idx: idx}, nil
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
	m.DefaultMapping = doc
	return m
}

// indexRecords (re)indexes records in one Bleve batch: single-document writes make a
// segment each and soon run out of file handles.
func (n *nameIndex) indexRecords(recs []*ingest.Record) error {
	b := n.idx.NewBatch()
	for _, r := range recs {
		name := r.Name.Display()
		if name == "" {
			b.Delete(r.RecordID)
			continue
		}
		if err := b.Index(r.RecordID, nameDoc{Name: name, Folded: ingest.FoldName(name)}); err != nil {
			return fmt.Errorf("graph: index record %q: %w", r.RecordID, err)
		}
	}
	if err := n.idx.Batch(b); err != nil {
		return fmt.Errorf("graph: index batch: %w", err)
	}
	return nil
}

func (n *nameIndex) close() error { return n.idx.Close() }

// Hit is one search result.
type Hit struct {
	RecordID string  `json:"record_id"`
	Score    float64 `json:"score"`
}

// SearchNames finds records by name, tolerating one edit per term.
func (s *Store) SearchNames(ctx context.Context, q string, limit int) ([]Hit, error) {
	folded := ingest.FoldName(q)
	if folded == "" {
		return nil, nil
	}
	mq := bleve.NewMatchQuery(folded)
	mq.SetField("folded")
	mq.SetFuzziness(1)
	req := bleve.NewSearchRequestOptions(mq, limit, 0, false)
	res, err := s.index.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("graph: search %q: %w", q, err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		hits = append(hits, Hit{RecordID: h.ID, Score: h.Score})
	}
	return hits, nil
}
