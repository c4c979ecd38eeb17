package graph

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// ForgetResult says what Forget did.
type ForgetResult struct {
	// Forgotten are the ids whose data was erased.
	Forgotten []string
	// Missing are the ids that were not in the store.
	Missing []string
	// Request is the id of the audit entries written.
	Request string
}

// Forget erases records (the right to erasure): every version's JSON, the record meta,
// its identifiers and their postings, its cluster memberships and its search document.
// It marks clusters stale, since cluster summaries still name the records and their
// shared values until the engine re-clusters, and writes an audit entry in the same
// transaction as the erasure.
//
// Badger deletes are tombstones: the old values stay in its files until compaction
// rewrites them (Compact hurries that), and a backup taken before Forget still holds
// them. Bleve likewise keeps a deleted document's terms until its segment is merged.
//
// A key type added to the layout that holds per-record data must be erased here too.
func (s *Store) Forget(ctx context.Context, ids []string, reason string) (*ForgetResult, error) {
	var req [8]byte
	if _, err := rand.Read(req[:]); err != nil {
		return nil, err
	}
	res := &ForgetResult{Request: hex.EncodeToString(req[:])}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	// The search document goes first: a crash after it leaves a stored record without a
	// document, which Reindex repairs; the other order could leave a document naming a
	// record that no longer exists.
	// Queued index writes go first, or one could bring a forgotten record back.
	if err := s.queue.wait(); err != nil {
		return nil, err
	}
	if err := s.index.deleteRecords(ids); err != nil {
		return nil, err
	}
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	var hashes []string
	var pending, count int64 // estimated size and number of writes in txn
	commit := func() error {
		if len(hashes) > 0 {
			e := &AuditEntry{Time: time.Now().UTC(), Action: ActionForget, Request: res.Request, RecordHashes: hashes, Reason: reason}
			if err := writeAudit(txn, e); err != nil {
				return err
			}
		}
		if err := txn.Set([]byte{keyStale}, nil); err != nil {
			return err
		}
		if err := txn.Commit(); err != nil {
			return fmt.Errorf("graph: commit forget: %w", err)
		}
		hashes, pending, count = nil, 0, 0
		return nil
	}
	// Leave room for the audit entry and the stale marker, and for Badger's estimate
	// of each delete being larger than its key.
	maxCount, maxSize := s.db.MaxBatchCount()/2, s.db.MaxBatchSize()/2
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		keys, found, err := recordKeys(txn, id)
		if err != nil {
			return res, fmt.Errorf("graph: forget %q: %w", id, err)
		}
		size := int64(0)
		for _, k := range keys {
			size += int64(len(k)) + 32
		}
		if count > 0 && (count+int64(len(keys)) > maxCount || pending+size > maxSize) {
			if err := commit(); err != nil {
				return res, err
			}
			txn = s.db.NewTransaction(true)
			if keys, found, err = recordKeys(txn, id); err != nil {
				return res, fmt.Errorf("graph: forget %q: %w", id, err)
			}
		}
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return res, fmt.Errorf("graph: forget %q: %w", id, err)
			}
		}
		pending += size
		count += int64(len(keys))
		if found {
			res.Forgotten = append(res.Forgotten, id)
			hashes = append(hashes, HashRecordID(id))
		} else {
			res.Missing = append(res.Missing, id)
		}
	}
	if count == 0 {
		return res, nil
	}
	if err := commit(); err != nil {
		return res, err
	}
	return res, nil
}

// recordKeys lists every key that holds data of record id, and whether its meta exists.
// Versions without a meta (which a correct store never has) are listed too, so that
// erasure is complete whatever state the record is in.
func recordKeys(txn *badger.Txn, id string) (keys [][]byte, found bool, err error) {
	_, err = txn.Get(recordKey(id))
	switch {
	case err == nil:
		found = true
		keys = append(keys, recordKey(id))
	case !errors.Is(err, badger.ErrKeyNotFound):
		return nil, false, err
	}
	scan := func(prefix []byte, each func(k []byte) error) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			keys = append(keys, k)
			if each != nil {
				if err := each(k); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := scan(versionPrefix(id), nil); err != nil {
		return nil, false, err
	}
	switch item, err := txn.Get(recIdentKey(id)); {
	case err == nil:
		keys = append(keys, recIdentKey(id))
		if err := item.Value(func(v []byte) error {
			return eachIdentifier(v, func(kind, value []byte) error {
				if posted(ingest.Kind(kind)) {
					keys = append(keys, postingKey(ingest.Kind(kind), string(value), id))
				}
				return nil
			})
		}); err != nil {
			return nil, false, fmt.Errorf("record %q: %w", id, err)
		}
	case !errors.Is(err, badger.ErrKeyNotFound):
		return nil, false, err
	}
	blocks, err := blockKeysOf(txn, id)
	if err != nil {
		return nil, false, err
	}
	keys = append(keys, blocks...)
	for _, l := range Levels() {
		_, err := txn.Get(membershipKey(l, id))
		switch {
		case err == nil:
			keys = append(keys, membershipKey(l, id))
		case !errors.Is(err, badger.ErrKeyNotFound):
			return nil, false, err
		}
	}
	return keys, found, nil
}

// deleteRecords removes the search documents of records.
func (n *nameIndex) deleteRecords(ids []string) error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	b := n.idx.NewBatch()
	for _, id := range ids {
		b.Delete(id)
	}
	if err := n.idx.Batch(b); err != nil {
		return fmt.Errorf("graph: unindex records: %w", err)
	}
	return nil
}

// RecordsOfPersona returns the ids of the records whose current version carries the
// given persona_id. It reads every record: persona ids have no index yet.
func (s *Store) RecordsOfPersona(ctx context.Context, persona string) ([]string, error) {
	// Records without the field are skipped without being decoded. (The value is not
	// matched as bytes: its escaping in the canonical JSON is not ours to assume.)
	needle := []byte(`"persona_id"`)
	var ids []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		i := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if i++; i%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			id := string(it.Item().Key()[1:])
			var meta recordMeta
			if err := it.Item().Value(func(v []byte) (err error) {
				meta, err = unmarshalMeta(v)
				return err
			}); err != nil {
				return fmt.Errorf("graph: record %q: %w", id, err)
			}
			vi, err := txn.Get(versionKey(id, meta.version))
			if err != nil {
				return fmt.Errorf("graph: record %q version %d: %w", id, meta.version, err)
			}
			match := false
			if err := vi.Value(func(v []byte) error {
				if !bytes.Contains(v, needle) {
					return nil
				}
				var r struct {
					PersonaID string `json:"persona_id"`
				}
				if err := json.Unmarshal(v, &r); err != nil {
					return err
				}
				match = r.PersonaID == persona
				return nil
			}); err != nil {
				return fmt.Errorf("graph: record %q: %w", id, err)
			}
			if match {
				ids = append(ids, id)
			}
		}
		return nil
	})
	return ids, err
}

// Compact makes Badger and Bleve rewrite their files now, so that erased data leaves
// them: Badger's deletes are tombstones, and the old values stay in its tables until a
// compaction merges the tombstone with them; Bleve keeps a deleted document's terms until
// its segment is merged. It flushes Badger's memtables (by writing and dropping keyFlush,
// since Badger has no other way to flush while open), flattens the LSM tree into one
// level, which drops tombstones and what they cover, garbage-collects the value log and
// rebuilds the Bleve index from the records (Reindex). It costs a rewrite of the whole
// store: run it after an erasure, not routinely. Freed file blocks are not wiped by the file system;
// encryption at rest is the defence for those.
func (s *Store) Compact(ctx context.Context) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte{keyFlush}, nil) }); err != nil {
		return fmt.Errorf("graph: compact: %w", err)
	}
	if err := s.db.DropPrefix([]byte{keyFlush}); err != nil {
		return fmt.Errorf("graph: compact: flush: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.db.Flatten(1); err != nil {
		return fmt.Errorf("graph: compact: flatten: %w", err)
	}
	for ctx.Err() == nil {
		if err := s.db.RunValueLogGC(0.01); err != nil {
			break // ErrNoRewrite or ErrRejected: nothing (more) to collect
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.Reindex(ctx)
	return err
}
