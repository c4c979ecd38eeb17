package graph

import (
	"bytes"
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// ForEachIdentifierKey calls fn with every current (record, kind, value) triple, grouped
// by record in record-id order. It reads keys only, never the identifier JSON, so the
// engine can build its comparison features for millions of records in one sequential
// scan. The value slice is valid only during the call.
func (s *Store) ForEachIdentifierKey(ctx context.Context, fn func(recordID string, kind ingest.Kind, value []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecIdent}})
		defer it.Close()
		var lastID []byte
		var id string
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%65536 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			k := it.Item().Key()[1:]
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				return fmt.Errorf("graph: corrupt identifier key %q", k)
			}
			if !bytes.Equal(k[:i], lastID) {
				lastID = append(lastID[:0], k[:i]...)
				id = string(lastID)
			}
			rest := k[i+1:]
			j := bytes.IndexByte(rest, 0)
			if j < 0 {
				return fmt.Errorf("graph: corrupt identifier key %q", k)
			}
			if err := fn(id, ingest.Kind(rest[:j]), rest[j+1:]); err != nil {
				return err
			}
		}
		return nil
	})
}
