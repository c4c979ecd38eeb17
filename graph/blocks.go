package graph

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Blocking keys are the engine's candidate keys for "might these records be one
// person?" (phonetic name with birth year, postcode with initial, ...), hashed to 64
// bits. The store keeps a posting per key so that linking one new record reads its
// candidates instead of re-blocking every record: the engine's incremental path. The
// store does not interpret them. Exact identifiers (e-mail, phone) already have postings
// under 'I' and are not repeated here.
//
//	'B' key(u64 BE) id -> nothing (posting: blocking key -> record)
//	'Y' id             -> the record's blocking keys, 8 bytes each (to drop them on update)

func blockKey(key uint64, id string) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefixBlock}, key)
	return append(k, id...)
}

func blockPrefix(key uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixBlock}, key)
}

func recBlocksKey(id string) []byte {
	return append([]byte{prefixRecBlocks}, id...)
}

// putBlocks writes a record's blocking keys and their postings.
func putBlocks(txn *badger.Txn, id string, keys []uint64) error {
	if len(keys) == 0 {
		return nil
	}
	list := make([]byte, 0, 8*len(keys))
	for _, k := range keys {
		list = binary.BigEndian.AppendUint64(list, k)
		if err := txn.Set(blockKey(k, id), nil); err != nil {
			return err
		}
	}
	return txn.Set(recBlocksKey(id), list)
}

// blockKeysOf lists the keys holding a record's blocking keys and their postings.
func blockKeysOf(txn *badger.Txn, id string) ([][]byte, error) {
	item, err := txn.Get(recBlocksKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	keys := [][]byte{recBlocksKey(id)}
	err = item.Value(func(v []byte) error {
		if len(v)%8 != 0 {
			return fmt.Errorf("graph: record %q: corrupt blocking key list (%d bytes)", id, len(v))
		}
		for i := 0; i < len(v); i += 8 {
			keys = append(keys, blockKey(binary.BigEndian.Uint64(v[i:]), id))
		}
		return nil
	})
	return keys, err
}

// dropBlocks removes a record's blocking keys, before a new version writes its own.
func dropBlocks(txn *badger.Txn, id string) error {
	keys, err := blockKeysOf(txn, id)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// BlockHolders returns the ids of the records that carry a blocking key, at most limit
// of them (0: all), and whether there were more.
func (s *Store) BlockHolders(ctx context.Context, key uint64, limit int) (ids []string, more bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		prefix := blockPrefix(key)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if limit > 0 && len(ids) == limit {
				more = true
				return nil
			}
			ids = append(ids, string(it.Item().Key()[len(prefix):]))
		}
		return nil
	})
	return ids, more, err
}
