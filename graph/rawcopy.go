package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// RawCopyMode says how RawCopy writes.
type RawCopyMode int

const (
	// RawReadOnly only reads every pair, to time the reading part of the others.
	RawReadOnly RawCopyMode = iota
	// RawWriteBatch writes through Badger's WriteBatch: transactions, memtables and
	// compaction, the way PutBatch writes.
	RawWriteBatch
	// RawStreamWriter writes through Badger's StreamWriter, the way the bulk loader does.
	RawStreamWriter
)

// RawCopy writes every key and value of the store into a new, bare Badger database in
// dir, with the store's Badger options, and says how long that took. The benchmarks
// compare it with the store's own ingest: the same keys written raw, without parsing,
// normalising, sorting or indexing, show what the store adds. The pairs are read from
// the store in key order while they are written; RawReadOnly times that reading alone.
func (s *Store) RawCopy(ctx context.Context, dir string, mode RawCopyMode) (pairs int, took time.Duration, err error) {
	var dst *badger.DB
	if mode != RawReadOnly {
		o := DefaultOptions()
		o.Logger = s.log
		bo := badgerOptions(dir, o).WithEncryptionKey(s.key)
		if dst, err = badger.Open(bo); err != nil {
			return 0, 0, fmt.Errorf("graph: raw copy: %w", err)
		}
		defer func() {
			if cerr := dst.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}()
	}
	start := time.Now()
	var (
		wb  *badger.WriteBatch
		sw  *badger.StreamWriter
		buf *z.Buffer
	)
	switch mode {
	case RawWriteBatch:
		wb = dst.NewWriteBatch()
		defer wb.Cancel()
	case RawStreamWriter:
		sw = dst.NewStreamWriter()
		if err := sw.Prepare(); err != nil {
			return 0, 0, err
		}
		buf = z.NewBuffer(8<<20, "graph.rawcopy")
		defer buf.Release()
	}
	kv := &pb.KV{Version: 1}
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			pairs++
			if pairs%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			switch mode {
			case RawWriteBatch:
				if err := wb.Set(item.KeyCopy(nil), v); err != nil {
					return err
				}
			case RawStreamWriter:
				if id := uint32(item.Key()[0]); id != kv.StreamId && kv.StreamId != 0 {
					// As the bulk loader does: one stream per table prefix, closed when
					// the next begins.
					badger.KVToBuffer(&pb.KV{StreamId: kv.StreamId, StreamDone: true}, buf)
				}
				kv.Key, kv.Value = item.Key(), v
				kv.StreamId = uint32(kv.Key[0])
				badger.KVToBuffer(kv, buf)
				if buf.LenNoPadding() >= 4<<20 {
					if err := sw.Write(buf); err != nil {
						return err
					}
					buf.Reset()
				}
			}
		}
		return nil
	})
	if err != nil {
		return pairs, 0, fmt.Errorf("graph: raw copy: %w", err)
	}
	switch mode {
	case RawWriteBatch:
		err = wb.Flush()
	case RawStreamWriter:
		if err = sw.Write(buf); err == nil {
			err = sw.Flush()
		}
	}
	if err != nil {
		return pairs, 0, fmt.Errorf("graph: raw copy: %w", err)
	}
	return pairs, time.Since(start), nil
}
