package graph

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// The search index (Bleve) holds derived data only: the store in Badger is the truth, and
// the index is rebuilt from it whenever it is missing or its mapping changed.
//
// # Fields
//
// One document per record, with these fields (docs/format.md has the same table):
//
//	folded    names: the folded and transliterated spelling of the record's name and of
//	          its name keys ("Дмитрий Иванов" is "dmitriy ivanov"); fuzzy per token
//	phonetic  name keys' phonetic codes, one term per name token ("dm:AN", "ny:LY")
//	email     canonical e-mail and the lower-cased address as given; exact
//	phone     digits of the E.164 number, of the national number and of the raw text
//	          ("442079460018", "02079460018"); exact
//	address   folded address text and the normalised address key's tokens; fuzzy
//	postcode  postcode without spaces, and its outward part ("ls14ab", "ls1"); exact
//	cv        CV words: letters only, lower-cased, English stop words dropped; fuzzy
//	          per word. No stemming: Bleve's "en" analyzer (Porter) took 4.7 times the
//	          CPU of this one on 14k generated CVs, and fuzzy matching already takes
//	          "distribute" to "distributed".
//
// In an encrypted store every field holds keyed hashes of those same terms (the name
// field is then called "tokens"), so the index reveals no personal data: only exact
// terms match, because hashes of near spellings are unrelated.
//
// No field is stored, none has term vectors, doc values or an entry in the composite
// "_all" field: the index answers "which records match", and Badger holds the records.
// Without term vectors Bleve cannot say which field matched a query, so a search runs one
// query per field and merges the hits (Store.Search).

// indexMappingVersion names the mapping; an index built with another one is rebuilt
// when the store opens. Bump it with every change to the mapping or to what is indexed.
const indexMappingVersion = "2"

// mappingInternalKey is where the index records its mapping version (Bleve internal
// data, kept beside the segments).
var mappingInternalKey = []byte("personagraph/mapping")

// Field names of the index, and the names Search reports them by.
const (
	fieldName     = "folded" // plain store
	fieldTokens   = "tokens" // encrypted store: hashed name tokens
	fieldPhonetic = "phonetic"
	fieldEmail    = "email"
	fieldPhone    = "phone"
	fieldAddress  = "address"
	fieldPostcode = "postcode"
	fieldCV       = "cv"
)

// foldAnalyzer splits ingest-folded text on spaces: folding already lower-cased,
// transliterated and tokenised it, and a Unicode tokenizer would split what folding
// joined.
const foldAnalyzer = "pg_fold"

// wordsAnalyzer splits CV text into lower-case words of letters and drops English stop
// words.
const wordsAnalyzer = "pg_words"

// nameIndex is the Bleve index of records. It holds derived data only: the store in
// Badger is the truth, and the index can be rebuilt from it.
type nameIndex struct {
	// mu guards idx, which rebuild replaces: every use holds it for reading.
	mu   sync.RWMutex
	idx  bleve.Index
	path string // "" in memory
	// unpersisted counts documents indexed since a batch last waited for persistence.
	unpersisted atomic.Int64
	// hasher is set when the store is encrypted: the index then holds only keyed hashes
	// of every term (see the file comment), never plain text.
	hasher *tokenHasher
	// cv analyses CV text the way the cv field does, for splitting a query; documents
	// are built with stop, its stop words (searchdoc.go).
	cv   analysis.Analyzer
	stop analysis.TokenMap
	// offline is set, and idx is not, while rebuild builds the index offline:
	// indexRecords then hands documents to the builder.
	offline *offlineIndex
	// incomplete is set when the index lacks records the store holds (a bulk load's
	// index build failed): close leaves its marker, so that the next open rebuilds it.
	incomplete bool
	// buildFault, when set, is what offline builds fail with (tests).
	buildFault error
	// bulkBatch and bulkMergeMax override the offline builder's bulkBatch and
	// bulkMergeMax when set (tests, to make many segments of few records).
	bulkBatch, bulkMergeMax int
}

func newNameIndex(idx bleve.Index, path string, hasher *tokenHasher) (*nameIndex, error) {
	a := idx.Mapping().AnalyzerNamed(wordsAnalyzer)
	if a == nil {
		return nil, errors.New("graph: index mapping lacks the CV analyzer")
	}
	stop, err := englishStop()
	if err != nil {
		return nil, fmt.Errorf("graph: load stop words: %w", err)
	}
	return &nameIndex{idx: idx, path: path, hasher: hasher, cv: a, stop: stop}, nil
}

// openNameIndex opens the index at path, or creates it; created says it did, so that the
// caller can fill a new index from the store (the index may have been deleted, or a
// rebuild interrupted between removing the old index and renaming the new one, or it was
// built with an older mapping, which is dropped here and so rebuilt).
func openNameIndex(path string, hasher *tokenHasher) (_ *nameIndex, created bool, _ error) {
	if path == "" {
		idx, err := bleve.NewMemOnly(indexMapping(hasher != nil))
		if err != nil {
			return nil, false, fmt.Errorf("graph: create in-memory index: %w", err)
		}
		n, err := newNameIndex(idx, "", hasher)
		return n, true, err
	}
	if err := os.RemoveAll(path + rebuildSuffix); err != nil {
		return nil, false, fmt.Errorf("graph: remove unfinished index rebuild: %w", err)
	}
	// An index its last user did not close cleanly may lack recent batches (they are
	// persisted after Batch returns, see indexConfig): drop it and let the caller rebuild.
	if _, err := os.Stat(path + dirtySuffix); err == nil {
		if err := os.RemoveAll(path); err != nil {
			return nil, false, fmt.Errorf("graph: drop index left unclean: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	idx, err := bleve.OpenUsing(path, indexConfig())
	if err == nil {
		var v []byte
		if v, err = idx.GetInternal(mappingInternalKey); err == nil && string(v) != mappingVersion(hasher != nil) {
			// An index of an older mapping: the records are in Badger, so drop it and let
			// the caller fill a new one. A crash after the removal leaves no index, which
			// the next Open also rebuilds.
			if err = idx.Close(); err == nil {
				err = os.RemoveAll(path)
			}
			if err != nil {
				return nil, false, fmt.Errorf("graph: drop index of an older mapping: %w", err)
			}
			err = bleve.ErrorIndexPathDoesNotExist
		}
	}
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		created = true
		if err = createIndexAt(path, hasher != nil); err == nil {
			idx, err = bleve.OpenUsing(path, indexConfig())
		}
	}
	if err == nil {
		err = markDirty(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("graph: open index %s: %w", path, err)
	}
	n, err := newNameIndex(idx, path, hasher)
	if err != nil {
		return nil, false, errors.Join(err, idx.Close())
	}
	return n, created, nil
}

// mappingVersion is the version recorded in an index: plain and hashed indexes differ.
func mappingVersion(hashed bool) string {
	if hashed {
		return indexMappingVersion + "-hashed"
	}
	return indexMappingVersion + "-plain"
}

// createIndexAt creates an empty index at path atomically: a kill while Bleve writes a
// new index's metadata leaves a directory it cannot open (the crash test found this), so
// the index is made beside path and renamed into place.
func createIndexAt(path string, hashed bool) error {
	tmp := path + rebuildSuffix
	idx, err := bleve.New(tmp, indexMapping(hashed))
	if err != nil {
		return err
	}
	if err := idx.SetInternal(mappingInternalKey, []byte(mappingVersion(hashed))); err != nil {
		return errors.Join(err, idx.Close())
	}
	if err := idx.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// rebuildSuffix names the directory a rebuild fills before it replaces the index.
const rebuildSuffix = ".rebuild"

// rebuild replaces the index with a new one that fill writes through the indexRecords
// of the nameIndex it is given. It holds the lock throughout, so that no write lands in
// the old index after fill has read the store: searches and index writes wait until it
// is done. An on-disk index is built offline (indexbuild.go) beside the old one and
// renamed into its place; an in-memory one is filled with batches.
func (n *nameIndex) rebuild(fill func(*nameIndex) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.path == "" {
		return n.rebuildInMemoryLocked(fill)
	}
	tmp := n.path + rebuildSuffix
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("graph: remove unfinished index rebuild: %w", err)
	}
	off, err := newOfflineIndex(tmp, n)
	if err != nil {
		return errors.Join(fmt.Errorf("graph: create index: %w", err), os.RemoveAll(tmp))
	}
	fresh := &nameIndex{hasher: n.hasher, cv: n.cv, stop: n.stop, offline: off}
	if err := fill(fresh); err != nil {
		off.abort()
		return errors.Join(err, os.RemoveAll(tmp))
	}
	if err := off.finish(); err != nil {
		return errors.Join(fmt.Errorf("graph: build index: %w", err), os.RemoveAll(tmp))
	}
	if err := n.idx.Close(); err != nil {
		return fmt.Errorf("graph: close old index: %w", err)
	}
	// A crash between these two steps leaves no index at path; Open then rebuilds it.
	if err := os.RemoveAll(n.path); err != nil {
		return fmt.Errorf("graph: remove old index: %w", err)
	}
	if err := os.Rename(tmp, n.path); err != nil {
		return fmt.Errorf("graph: replace index: %w", err)
	}
	if n.idx, err = bleve.OpenUsing(n.path, indexConfig()); err != nil {
		return fmt.Errorf("graph: open rebuilt index: %w", err)
	}
	n.incomplete = false // the index now holds what fill gave it
	return nil
}

func (n *nameIndex) rebuildInMemoryLocked(fill func(*nameIndex) error) error {
	hashed := n.hasher != nil
	idx, err := bleve.NewMemOnly(indexMapping(hashed))
	if err == nil {
		err = idx.SetInternal(mappingInternalKey, []byte(mappingVersion(hashed)))
	}
	if err != nil {
		return fmt.Errorf("graph: create index: %w", err)
	}
	fresh := &nameIndex{idx: idx, hasher: n.hasher, cv: n.cv, stop: n.stop}
	if err := fill(fresh); err != nil {
		return errors.Join(err, idx.Close())
	}
	if err := n.idx.Close(); err != nil {
		return errors.Join(fmt.Errorf("graph: close old index: %w", err), idx.Close())
	}
	n.idx = idx
	n.incomplete = false
	return nil
}

// indexConfig is the runtime configuration of an on-disk index. Batches return once
// their documents are searchable, before Bleve has persisted them: waiting for the
// persister made storing one record (POST /v1/check) take 12 ms at the median and most
// of a second at the tail, against half a millisecond without. The index is derived
// data: a marker file (dirtySuffix) lives beside it while it is open, close removes it
// after everything is persisted, and an index found with the marker is rebuilt from the
// store.
//
// The persister naps persisterNapMSec between rounds, so that what one round writes is
// many batches merged in memory, not a segment file and a sync per batch: a check
// stores one record, and at 1M records the persister and merger working after every
// one took a sixth of the CPU that checks used and lengthened the slowest checks
// (1,500 checks at 1M records, p99 15.1-17.3 ms with no nap,
// 10.5-11.1 ms napping 250 ms, 11.3-13.2 ms napping 1 s).
func indexConfig() map[string]interface{} {
	return map[string]interface{}{
		"unsafe_batch":           true,
		"scorchPersisterOptions": map[string]interface{}{"PersisterNapTimeMSec": persisterNapMSec},
	}
}

// persisterNapMSec is how long Bleve's persister waits for more batches (indexConfig).
const persisterNapMSec = 250

// dirtySuffix names the marker file of an index that is open or was not closed cleanly.
const dirtySuffix = ".dirty"

func markDirty(path string) error {
	f, err := os.OpenFile(path+dirtySuffix, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}

// flushTimeout bounds how long close waits for Bleve to persist the last batches; past
// it, the index is closed with its marker left, and rebuilt on the next open.
const flushTimeout = 2 * time.Minute

// flush waits until every batch so far is persisted: batches are persisted in order, so
// a last one's persisted callback says that all before it are too.
func (n *nameIndex) flush() error {
	done := make(chan error, 1)
	b := n.idx.NewBatch()
	b.SetInternal([]byte("flushed"), []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	b.SetPersistedCallback(func(err error) { done <- err })
	if err := n.idx.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-time.After(flushTimeout):
		return errors.New("graph: index not persisted in time")
	}
}

// indexMapping is the index's mapping: text fields with analyzers for a plain store,
// keyword fields of hashes for an encrypted one. Dynamic mapping is off, so that no
// field is indexed by accident.
func indexMapping(hashed bool) mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	for name, cfg := range map[string]map[string]any{
		foldAnalyzer:  {"type": custom.Name, "tokenizer": spaceTokenizer},
		wordsAnalyzer: {"type": custom.Name, "tokenizer": letterTokenizer, "token_filters": []any{lowercase.Name, en.StopName}},
	} {
		if err := m.AddCustomAnalyzer(name, cfg); err != nil {
			panic(fmt.Sprintf("graph: index mapping: %v", err)) // a constant configuration
		}
	}
	doc := bleve.NewDocumentStaticMapping()
	field := func(name, analyzer string) {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store, fm.IncludeTermVectors, fm.IncludeInAll, fm.DocValues = false, false, false, false
		doc.AddFieldMappingsAt(name, fm)
	}
	if hashed {
		for _, f := range []string{fieldTokens, fieldPhonetic, fieldEmail, fieldPhone, fieldAddress, fieldPostcode, fieldCV} {
			field(f, keyword.Name)
		}
	} else {
		field(fieldName, foldAnalyzer)
		field(fieldAddress, foldAnalyzer)
		field(fieldCV, wordsAnalyzer)
		for _, f := range []string{fieldPhonetic, fieldEmail, fieldPhone, fieldPostcode} {
			field(f, keyword.Name)
		}
	}
	// No composite "_all" field: every field is excluded from it anyway, and Bleve
	// still built it per document (4% of ingest CPU in a profile) unless disabled.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	m.DefaultAnalyzer = keyword.Name
	return m
}

// session returns a hashing session in an encrypted store, nil in a plain one.
func (n *nameIndex) session() *hashSession {
	if n.hasher == nil {
		return nil
	}
	return n.hasher.session()
}

// indexRecords (re)indexes records in one Bleve batch: single-document writes make a
// segment each and soon run out of file handles. Each put needs its Record's id, name
// and CV text, and its Identifiers.
func (n *nameIndex) indexRecords(puts []Put) error {
	if n.offline != nil {
		return n.offline.add(puts)
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	b := n.idx.NewBatch()
	db := n.newDocBuilder(n.session())
	for _, p := range puts {
		doc := db.build(p.Record, p.Identifiers)
		if doc == nil {
			b.Delete(p.Record.RecordID)
			continue
		}
		if err := b.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("graph: index record %q: %w", p.Record.RecordID, err)
		}
	}
	// Batches return before Bleve persists them (indexConfig), so a bulk load could run
	// ahead of the persister with every unpersisted segment in memory. Every
	// persistEvery documents, a batch waits until it and all before it are persisted.
	wait := n.path != "" && n.unpersisted.Add(int64(len(puts))) >= persistEvery
	var done chan error
	if wait {
		n.unpersisted.Store(0)
		done = make(chan error, 1)
		b.SetPersistedCallback(func(err error) { done <- err })
	}
	if err := n.idx.Batch(b); err != nil {
		return fmt.Errorf("graph: index batch: %w", err)
	}
	if wait {
		if err := <-done; err != nil {
			return fmt.Errorf("graph: persist index: %w", err)
		}
	}
	return nil
}

// persistEvery bounds the documents indexed but not yet persisted (indexRecords).
const persistEvery = 20_000

// phoneticTerms splits a phonetic name key ("dm:AN|L") into one term per name token
// ("dm:AN", "dm:L"), so that a query of one name part matches. Keys of a family name and
// an initial ("dmf:...") are left out: the per-token codes already cover them.
func phoneticTerms(key string) []string {
	algo, body, ok := strings.Cut(key, ":")
	if !ok || algo == "dmf" {
		return nil
	}
	var out []string
	for _, c := range strings.Split(body, "|") {
		if c != "" {
			out = append(out, algo+":"+c)
		}
	}
	return out
}

func digitsOf(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// compact removes spaces and hyphens.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}

func uniqueNonEmpty(s []string) []string {
	slices.Sort(s)
	s = slices.Compact(s)
	if len(s) > 0 && s[0] == "" {
		s = s[1:]
	}
	return s
}

func analysedTerms(a analysis.Analyzer, text string) []string {
	var out []string
	for _, tok := range a.Analyze([]byte(text)) {
		out = append(out, string(tok.Term))
	}
	return out
}

// hashSession hashes many tokens with one HMAC state: hmac.New per token allocated and
// re-keyed for each of a CV's hundreds of words. Not safe for concurrent use.
type hashSession struct {
	mac hash.Hash
	sum []byte
	buf []byte
}

func (h *tokenHasher) session() *hashSession {
	return &hashSession{mac: hmac.New(sha256.New, h.key)}
}

// one returns the keyed hash of a token, equal to tokenHasher.hash.
func (s *hashSession) one(token string) string {
	s.buf = append(s.buf[:0], token...)
	n := len(s.buf)
	s.buf = s.appendHash(s.buf, s.buf[:n])
	return string(s.buf[n:])
}

// appendHash appends the keyed hash of a token to dst: the hex of the first
// tokenHashLen/2 bytes of the HMAC is the first tokenHashLen characters of its hex.
// token may share dst's array: it is hashed before anything is appended.
func (s *hashSession) appendHash(dst, token []byte) []byte {
	s.mac.Reset()
	s.mac.Write(token)
	s.sum = s.mac.Sum(s.sum[:0])
	return hex.AppendEncode(dst, s.sum[:tokenHashLen/2])
}

// close persists and closes the index, and removes its marker when everything was
// persisted (indexConfig).
func (n *nameIndex) close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.path == "" {
		return n.idx.Close()
	}
	if n.incomplete {
		return n.idx.Close() // the marker stays: the next open rebuilds the index
	}
	flushErr := n.flush()
	if err := n.idx.Close(); err != nil || flushErr != nil {
		// The marker stays: the next open rebuilds the index.
		return errors.Join(err, flushErr)
	}
	if err := os.Remove(n.path + dirtySuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// markIncomplete says that the index lacks records the store holds (incomplete).
func (n *nameIndex) markIncomplete() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.incomplete = true
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
	// Matched names the fields the query matched, in this order: name, phonetic, email,
	// phone, address, postcode, cv.
	Matched []string `json:"matched"`
}

// fieldQuery is the query of one field, and the name Hit.Matched reports it by.
type fieldQuery struct {
	label string
	q     query.Query
}

// Search finds records by any indexed field: a name (tolerating typos, in any script),
// an e-mail, a phone in any common format, an address, a postcode or words of a CV. Each
// field is searched on its own, a text field requiring every word of the query (each
// within a few edits); a record's score is the sum of its fields' scores, and Matched
// names the fields. In an encrypted store only exact terms match (after folding).
func (s *Store) Search(ctx context.Context, q string, limit int) ([]Hit, error) {
	return s.search(ctx, q, limit, nil)
}

// SearchNames finds records by the folded spelling of their names only, tolerating typos
// (exact tokens in an encrypted store); Search adds phonetic codes and the other fields.
func (s *Store) SearchNames(ctx context.Context, q string, limit int) ([]Hit, error) {
	return s.search(ctx, q, limit, []string{"name"})
}

func (s *Store) search(ctx context.Context, q string, limit int, only []string) ([]Hit, error) {
	if limit <= 0 {
		limit = 10
	}
	if err := s.queue.wait(); err != nil {
		return nil, err
	}
	fqs := s.index.queries(q)
	type acc struct {
		score   float64
		matched []string
	}
	byID := make(map[string]*acc)
	for _, fq := range fqs {
		if only != nil && !slices.Contains(only, fq.label) {
			continue
		}
		res, err := s.index.search(ctx, bleve.NewSearchRequestOptions(fq.q, limit, 0, false))
		if err != nil {
			return nil, fmt.Errorf("graph: search %s: %w", fq.label, err)
		}
		for _, h := range res.Hits {
			a := byID[h.ID]
			if a == nil {
				a = &acc{}
				byID[h.ID] = a
			}
			a.score += h.Score
			a.matched = append(a.matched, fq.label)
		}
	}
	hits := make([]Hit, 0, len(byID))
	for id, a := range byID {
		hits = append(hits, Hit{RecordID: id, Score: a.score, Matched: a.matched})
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.RecordID, b.RecordID))
	})
	return hits[:min(limit, len(hits))], nil
}

// maxQueryBytes and maxQueryTerms bound a query: every term of a text field becomes a
// fuzzy query, and a pasted CV should not become thousands of them.
const (
	maxQueryBytes = 1 << 10
	maxQueryTerms = 32
)

// queries builds one query per field the query text can match, in Hit.Matched order.
func (n *nameIndex) queries(q string) []fieldQuery {
	if len(q) > maxQueryBytes {
		q = strings.ToValidUTF8(q[:maxQueryBytes], "")
	}
	var out []fieldQuery
	var hs *hashSession
	if n.hasher != nil {
		hs = n.hasher.session()
	}
	// terms makes a query that needs every term, exactly (hashed) or within edits.
	terms := func(field string, toks []string, fuzzy bool) query.Query {
		if len(toks) == 0 {
			return nil
		}
		toks = toks[:min(len(toks), maxQueryTerms)]
		var qs []query.Query
		for _, t := range toks {
			if hs != nil {
				t = hs.one(t)
			}
			if f := fuzziness(t); fuzzy && hs == nil && f > 0 {
				fq := bleve.NewFuzzyQuery(t)
				fq.SetFuzziness(f)
				fq.SetField(field)
				qs = append(qs, fq)
				continue
			}
			tq := bleve.NewTermQuery(t)
			tq.SetField(field)
			qs = append(qs, tq)
		}
		if len(qs) == 1 {
			return qs[0]
		}
		return bleve.NewConjunctionQuery(qs...)
	}
	// anyOf makes a query that needs one of the terms, exactly.
	anyOf := func(field string, toks []string) query.Query {
		toks = uniqueNonEmpty(toks)
		if len(toks) == 0 {
			return nil
		}
		var qs []query.Query
		for _, t := range toks {
			if hs != nil {
				t = hs.one(t)
			}
			tq := bleve.NewTermQuery(t)
			tq.SetField(field)
			qs = append(qs, tq)
		}
		if len(qs) == 1 {
			return qs[0]
		}
		return bleve.NewDisjunctionQuery(qs...)
	}
	add := func(label string, q query.Query) {
		if q != nil {
			out = append(out, fieldQuery{label, q})
		}
	}
	folded := strings.Fields(ingest.FoldName(q))
	nameField := fieldName
	if hs != nil {
		nameField = fieldTokens
	}
	add("name", terms(nameField, folded, true))
	add(fieldPhonetic, phoneticQuery(q, hs))
	if strings.Contains(q, "@") {
		e := []string{strings.ToLower(strings.TrimSpace(q))}
		if id, ok := ingest.Email(q); ok {
			e = append(e, id.Value)
		}
		add(fieldEmail, anyOf(fieldEmail, e))
	}
	if d := digitsOf(q); len(d) >= 6 && len(d)*2 >= len(compact(q)) {
		forms := []string{d}
		if strings.HasPrefix(d, "00") { // an international call prefix
			forms = append(forms, d[2:])
		}
		add(fieldPhone, anyOf(fieldPhone, forms))
	}
	add(fieldAddress, terms(fieldAddress, folded, true))
	if pc := strings.ToLower(compact(strings.TrimSpace(q))); looksLikePostcode(pc) {
		add(fieldPostcode, anyOf(fieldPostcode, []string{pc}))
	}
	add(fieldCV, terms(fieldCV, uniqueNonEmpty(analysedTerms(n.cv, q)), true))
	return out
}

// phoneticQuery matches a query's phonetic codes: every token's code under one
// algorithm, under either algorithm.
func phoneticQuery(q string, hs *hashSession) query.Query {
	byAlgo := map[string][]query.Query{}
	var algos []string
	for _, id := range ingest.NameKeys(ingest.Name{Full: q}) {
		if !slices.Contains(id.Flags, ingest.FlagPhonetic) {
			continue
		}
		for _, t := range phoneticTerms(id.Value) {
			algo, _, _ := strings.Cut(t, ":")
			if hs != nil {
				t = hs.one(t)
			}
			tq := bleve.NewTermQuery(t)
			tq.SetField(fieldPhonetic)
			if _, ok := byAlgo[algo]; !ok {
				algos = append(algos, algo)
			}
			byAlgo[algo] = append(byAlgo[algo], tq)
		}
	}
	if len(algos) == 0 {
		return nil
	}
	var alts []query.Query
	for _, a := range algos {
		alts = append(alts, bleve.NewConjunctionQuery(byAlgo[a]...))
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// fuzziness is how many edits a query term may be from an indexed one: none for short
// terms, where one edit already matches unrelated words ("lee", "leo"), two for long ones.
func fuzziness(term string) int {
	switch n := len([]rune(term)); {
	case n <= 3:
		return 0
	case n <= 7:
		return 1
	default:
		return 2
	}
}

// looksLikePostcode reports whether a compacted query could be a postcode or its outward
// part: 2 to 10 letters and digits, with at least one digit.
func looksLikePostcode(s string) bool {
	if len(s) < 2 || len(s) > 10 {
		return false
	}
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z':
		default:
			return false
		}
	}
	return digit
}

// indexInput reads what the index needs of a stored record: the name and CV text of its
// current version, and its identifiers. Decoding just those two fields of the JSON is
// cheaper than a full ingest.Parse.
func indexInput(txn *badger.Txn, id string, version uint32) (Put, error) {
	vi, err := txn.Get(versionKey(id, version))
	if err != nil {
		return Put{}, fmt.Errorf("graph: record %q version %d: %w", id, version, err)
	}
	var doc struct {
		Name   ingest.Name `json:"name"`
		CVText string      `json:"cv_text"`
	}
	if err := vi.Value(func(v []byte) error { return json.Unmarshal(v, &doc) }); err != nil {
		return Put{}, fmt.Errorf("graph: record %q: %w", id, err)
	}
	p := Put{Record: &ingest.Record{RecordID: id, Name: doc.Name, CVText: doc.CVText}}
	switch xi, err := txn.Get(recIdentKey(id)); {
	case err == nil:
		if err := xi.Value(func(v []byte) (err error) {
			p.Identifiers, err = decodeIdentifiers(v)
			return err
		}); err != nil {
			return Put{}, fmt.Errorf("graph: record %q identifiers: %w", id, err)
		}
	case !errors.Is(err, badger.ErrKeyNotFound):
		return Put{}, err
	}
	return p, nil
}
