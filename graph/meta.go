package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// PutMeta stores a small named value for the engine, such as the linkage model it
// fitted, so that later commands (explain) read what clustering used.
func (s *Store) PutMeta(ctx context.Context, name string, value []byte) error {
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(append([]byte{prefixMeta}, name...), value)
	}); err != nil {
		return fmt.Errorf("graph: put meta %q: %w", name, err)
	}
	return nil
}

// Meta returns a value stored with PutMeta; ErrNotFound if there is none.
func (s *Store) Meta(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(append([]byte{prefixMeta}, name...))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("meta %q: %w", name, ErrNotFound)
		}
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	})
	return v, err
}
