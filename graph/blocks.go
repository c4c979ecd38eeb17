package graph

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Blocking keys are the engine's candidate keys for "might these records be one
// person?" (phonetic name with birth year, postcode with initial, ...), hashed to 64
// bits. The store keeps a posting per key so that linking one new record reads its
// candidates instead of re-blocking every record: the engine's incremental path. The
// store does not interpret them. Exact identifiers (e-mail, phone) already have postings
// under 'I' and are not repeated here.
//
// Postings of one key are ordered by a sort string the engine gives (the record's
// folded name), so that in a block too big to compare whole, a record's nearest names
// are a seek away (BlockNeighbours): the full run's sorted neighbourhood.
//
//	'B' key(u64 BE) sort 0x00 id -> nothing (posting: blocking key -> record)
//	'Y' id                       -> uvarint(len sort) sort, then the record's blocking
//	                                keys, 8 bytes each (to drop them on update)

func blockKey(key uint64, sort, id string) []byte {
	k := blockPrefix(key)
	k = append(k, sort...)
	k = append(k, 0)
	return append(k, id...)
}

func blockPrefix(key uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixBlock}, key)
}

// blockSort makes a sort string safe to end with 0x00 in a key.
func blockSort(s string) string {
	return strings.ReplaceAll(s, "\x00", "\x01")
}

// parseBlockKey returns the record id of a blocking posting key.
func parseBlockKey(k []byte) (id []byte, ok bool) {
	if len(k) < 9 {
		return nil, false
	}
	i := bytes.IndexByte(k[9:], 0)
	if i < 0 {
		return nil, false
	}
	return k[9+i+1:], true
}

func recBlocksKey(id string) []byte {
	return append([]byte{prefixRecBlocks}, id...)
}

// putBlocks writes a record's blocking keys and their postings.
func putBlocks(set func(key, value []byte) error, id, sort string, keys []uint64) error {
	if len(keys) == 0 {
		return nil
	}
	sort = blockSort(sort)
	for _, k := range keys {
		if err := set(blockKey(k, sort, id), nil); err != nil {
			return err
		}
	}
	return set(recBlocksKey(id), encodeRecBlocks(sort, keys))
}

// encodeRecBlocks is the 'Y' value of a record: its sort string and blocking keys.
func encodeRecBlocks(sort string, keys []uint64) []byte {
	list := binary.AppendUvarint(make([]byte, 0, 2+len(sort)+8*len(keys)), uint64(len(sort)))
	list = append(list, sort...)
	for _, k := range keys {
		list = binary.BigEndian.AppendUint64(list, k)
	}
	return list
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
		sort, list, ok := parseRecBlocks(v)
		if !ok {
			return fmt.Errorf("graph: record %q: corrupt blocking key list (%d bytes)", id, len(v))
		}
		for i := 0; i < len(list); i += 8 {
			keys = append(keys, blockKey(binary.BigEndian.Uint64(list[i:]), sort, id))
		}
		return nil
	})
	return keys, err
}

// parseRecBlocks splits a 'Y' value into its sort string and its list of keys.
func parseRecBlocks(v []byte) (sort string, list []byte, ok bool) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n || (len(v)-w-int(n))%8 != 0 {
		return "", nil, false
	}
	return string(v[w : w+int(n)]), v[w+int(n):], true
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

// BlockHolders returns the ids of the records that carry a blocking key, in sort order,
// at most limit of them (0: all), and whether there were more.
func (s *Store) BlockHolders(ctx context.Context, key uint64, limit int) (ids []string, more bool, err error) {
	all, mores, err := s.BlockHoldersOfEach(ctx, []uint64{key}, limit)
	if err != nil {
		return nil, false, err
	}
	return all[0], mores[0], nil
}

// BlockHoldersOfEach is BlockHolders for many keys at once, through one iterator:
// creating a Badger iterator costs more than a short scan.
func (s *Store) BlockHoldersOfEach(ctx context.Context, keys []uint64, limit int) (ids [][]string, more []bool, err error) {
	ids, more = make([][]string, len(keys)), make([]bool, len(keys))
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixBlock}})
		defer it.Close()
		for i, k := range keys {
			prefix := blockPrefix(k)
			for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
				if limit > 0 && len(ids[i]) == limit {
					more[i] = true
					break
				}
				if id, ok := parseBlockKey(it.Item().Key()); ok {
					ids[i] = append(ids[i], string(id))
				}
			}
		}
		return nil
	})
	return ids, more, err
}

// BlockNeighbours returns the records of a blocking key whose sort strings come nearest
// to sort: up to n at or after it and n before it, in sort order.
func (s *Store) BlockNeighbours(ctx context.Context, key uint64, sort string, n int) ([]string, error) {
	prefix := blockPrefix(key)
	at := append(blockPrefix(key), blockSort(sort)...)
	var before, after []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		for it.Seek(at); it.Valid() && len(after) < n; it.Next() {
			if id, ok := parseBlockKey(it.Item().Key()); ok {
				after = append(after, string(id))
			}
		}
		it.Close()
		// A reverse iterator seeks to the last key at or before its target: the target
		// is just below every key of sort (they continue with 0x00 or more bytes).
		rev := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true})
		defer rev.Close()
		for rev.Seek(at); rev.Valid() && len(before) < n; rev.Next() {
			k := rev.Item().Key()
			if bytes.Compare(k, at) >= 0 {
				continue
			}
			if id, ok := parseBlockKey(k); ok {
				before = append(before, string(id))
			}
		}
		return nil
	})
	for i, j := 0, len(before)-1; i < j; i, j = i+1, j-1 {
		before[i], before[j] = before[j], before[i]
	}
	return append(before, after...), err
}
