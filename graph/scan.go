package graph

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// ForEachIdentifierKey calls fn with every current (record, kind, value) triple, grouped
// by record in record-id order. It decodes only kinds and values, so the engine can build
// its comparison features for millions of records in one sequential scan. The value
// slice is valid only during the call.
func (s *Store) ForEachIdentifierKey(ctx context.Context, fn func(recordID string, kind ingest.Kind, value []byte) error) error {
	kinds := make(map[string]ingest.Kind) // interned: a handful of kinds, millions of uses
	var hexBuf []byte
	return s.eachIdentifierList(ctx, func(key, list []byte) error {
		id := string(key[1:])
		return walkIdentifiers(list, &hexBuf, func(kind, value []byte) error {
			k, ok := kinds[string(kind)]
			if !ok {
				k = ingest.Kind(kind)
				kinds[string(kind)] = k
			}
			return fn(id, k, value)
		})
	})
}

// ForEachIdentifierOfKind calls fn with every record's current identifiers of one kind,
// in record-id order: ForEachIdentifierKey for one kind, without a call per identifier
// of the others (the engine's CV band index reads every sketch this way). The value
// slice is valid only during the call.
func (s *Store) ForEachIdentifierOfKind(ctx context.Context, kind ingest.Kind, fn func(recordID string, value []byte) error) error {
	var hexBuf []byte
	return s.eachIdentifierList(ctx, func(key, list []byte) error {
		return walkIdentifiers(list, &hexBuf, func(k, value []byte) error {
			if string(k) != string(kind) {
				return nil
			}
			return fn(string(key[1:]), value)
		})
	})
}

// eachIdentifierList calls fn with every record's identifier-list key and value ('X'),
// in key order, the value read in place (valid only during the call).
func (s *Store) eachIdentifierList(ctx context.Context, fn func(key, list []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecIdent}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			item := it.Item()
			if err := item.Value(func(v []byte) error { return fn(item.Key(), v) }); err != nil {
				return fmt.Errorf("graph: identifiers of %q: %w", item.Key()[1:], err)
			}
		}
		return nil
	})
}
