package graph

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"github.com/personagraph/personagraph/ingest"
)

// ErrInconsistent means Check found the store's invariants broken.
var ErrInconsistent = errors.New("graph: store is inconsistent")

// maxProblems is how many problems Check names in its error; it counts them all.
const maxProblems = 20

// Check verifies the invariants the write path promises, from one consistent read:
//   - every record meta decodes and its current version's JSON exists, and no version is
//     newer than the meta says or belongs to a record without a meta;
//   - every identifier of a record has its posting, and every posting points to a stored
//     record that holds that identifier;
//   - every cluster membership names a stored record.
//
// It returns nil or an error wrapping ErrInconsistent that names the first problems. It
// reads the whole store, so it is for tests and operators (after a crash, a restore).
func (s *Store) Check(ctx context.Context) error {
	var problems []string
	total := 0
	report := func(format string, args ...any) {
		total++
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	err := s.db.View(func(txn *badger.Txn) error {
		exists := func(k []byte) (bool, error) {
			_, err := txn.Get(k)
			if errors.Is(err, badger.ErrKeyNotFound) {
				return false, nil
			}
			return err == nil, err
		}
		// current returns a record's current version, 0 if it has no meta, and keeps its
		// signals in lastSignals. Keys of one record are adjacent under each prefix, so the
		// last answer is cached; memory stays bounded however large the store.
		lastID, lastVersion, lastSignals := "", uint32(0), uint32(0)
		current := func(id string) (uint32, error) {
			if id == lastID && lastID != "" {
				return lastVersion, nil
			}
			item, err := txn.Get(recordKey(id))
			if errors.Is(err, badger.ErrKeyNotFound) {
				lastID, lastVersion, lastSignals = id, 0, 0
				return 0, nil
			}
			if err != nil {
				return 0, err
			}
			b, err := item.ValueCopy(nil)
			if err != nil {
				return 0, err
			}
			m, err := unmarshalMeta(b)
			if err != nil {
				// Reported by the record scan; count the record as present.
				m.version = ^uint32(0)
			}
			lastID, lastVersion, lastSignals = id, m.version, m.signals
			return m.version, nil
		}
		// Records and their versions.
		if err := s.scanPrefix(ctx, txn, []byte{prefixRecord}, true, func(k, v []byte) error {
			id := string(k[1:])
			m, err := unmarshalMeta(v)
			if err != nil {
				report("record %q: %v", id, err)
				return nil
			}
			ok, err := exists(versionKey(id, m.version))
			if err != nil {
				return err
			}
			if !ok {
				report("record %q: current version %d missing", id, m.version)
			}
			return nil
		}); err != nil {
			return err
		}
		if err := s.scanPrefix(ctx, txn, []byte{prefixVersion}, false, func(k, _ []byte) error {
			i := strings.IndexByte(string(k[1:]), 0)
			if i < 0 || len(k)-(i+2) != 4 {
				report("corrupt version key %q", k)
				return nil
			}
			id := string(k[1 : i+1])
			v := binary.BigEndian.Uint32(k[i+2:])
			cur, err := current(id)
			if err != nil {
				return err
			}
			switch {
			case cur == 0:
				report("version %d of record %q, which has no meta", v, id)
			case v > cur || v == 0:
				report("record %q: version %d beyond current %d", id, v, cur)
			}
			return nil
		}); err != nil {
			return err
		}
		// A record's identifiers and their postings.
		if err := s.scanPrefix(ctx, txn, []byte{prefixRecIdent}, true, func(k, v []byte) error {
			id := string(k[1:])
			if cur, err := current(id); err != nil {
				return err
			} else if cur == 0 {
				report("identifiers of record %q, which has no meta", id)
			} else if _, sig, has, err := identHeader(v); err == nil && has && sig != lastSignals {
				report("record %q: signals %#x in its identifier list, %#x in its meta", id, sig, lastSignals)
			}
			return eachIdentifier(v, func(kind, value []byte) error {
				if !posted(ingest.Kind(kind)) {
					return nil
				}
				ok, err := exists(postingKey(ingest.Kind(kind), string(value), id))
				if err != nil {
					return err
				}
				if !ok {
					report("record %q: %s identifier has no posting", id, kind)
				}
				return nil
			})
		}); err != nil {
			return err
		}
		// Every posting names a record that holds its identifier. Postings are not grouped
		// by record, so each looks its record's list up; the last list is kept, since
		// postings of one value often name neighbouring records.
		var listID string
		var listBuf []byte
		holds := func(id, kind string, value []byte) (bool, error) {
			if id != listID {
				item, err := txn.Get(recIdentKey(id))
				if errors.Is(err, badger.ErrKeyNotFound) {
					return false, nil
				}
				if err != nil {
					return false, err
				}
				if listBuf, err = item.ValueCopy(listBuf[:0]); err != nil {
					return false, err
				}
				listID = id
			}
			found := false
			err := eachIdentifier(listBuf, func(k, v []byte) error {
				if string(k) == kind && string(v) == string(value) {
					found = true
				}
				return nil
			})
			return found, err
		}
		if err := s.scanPrefix(ctx, txn, []byte{prefixPosting}, false, func(k, _ []byte) error {
			i := strings.IndexByte(string(k[1:]), 0)
			if i < 0 {
				report("corrupt posting key %q", k)
				return nil
			}
			kind := string(k[1 : i+1])
			value, id, ok := parsePostingKey(k, i+2)
			if !ok {
				report("corrupt posting key %q", k)
				return nil
			}
			if cur, err := current(string(id)); err != nil {
				return err
			} else if cur == 0 {
				report("%s posting points to missing record %q", kind, id)
				return nil
			}
			ok, err := holds(string(id), kind, value)
			if err != nil {
				return err
			}
			if !ok {
				report("%s posting of record %q that the record does not hold", kind, id)
			}
			return nil
		}); err != nil {
			return err
		}
		// Blocking-key postings and each record's list of them agree (blocks.go).
		if err := s.scanPrefix(ctx, txn, []byte{prefixRecBlocks}, true, func(k, v []byte) error {
			id := string(k[1:])
			if cur, err := current(id); err != nil {
				return err
			} else if cur == 0 {
				report("blocking keys of record %q, which has no meta", id)
			}
			sort, list, ok := parseRecBlocks(v)
			if !ok {
				report("record %q: corrupt blocking key list", id)
				return nil
			}
			for i := 0; i < len(list); i += 8 {
				ok, err := exists(blockKey(binary.BigEndian.Uint64(list[i:]), sort, id))
				if err != nil {
					return err
				}
				if !ok {
					report("record %q: blocking key has no posting", id)
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := s.scanPrefix(ctx, txn, []byte{prefixBlock}, false, func(k, _ []byte) error {
			rawID, ok := parseBlockKey(k)
			if !ok {
				report("corrupt blocking posting %q", k)
				return nil
			}
			id := string(rawID)
			if cur, err := current(id); err != nil {
				return err
			} else if cur == 0 {
				report("blocking posting points to missing record %q", id)
				return nil
			}
			ok, err := exists(recBlocksKey(id))
			if err != nil {
				return err
			}
			if !ok {
				report("blocking posting of record %q, which lists none", id)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, l := range Levels() {
			p := membershipPrefix(l)
			if err := s.scanPrefix(ctx, txn, p, false, func(k, _ []byte) error {
				cur, err := current(string(k[len(p):]))
				if err == nil && cur == 0 {
					report("%s membership of missing record %q", l, k[len(p):])
				}
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("graph: check: %w", err)
	}
	if total > 0 {
		return fmt.Errorf("%w: %d problem(s): %s", ErrInconsistent, total, strings.Join(problems, "; "))
	}
	return nil
}

// scanPrefix calls fn with every key of a prefix, and its value when values is set.
func (s *Store) scanPrefix(ctx context.Context, txn *badger.Txn, prefix []byte, values bool, fn func(k, v []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: values, PrefetchSize: 256})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		item := it.Item()
		var v []byte
		if values {
			var err error
			if v, err = item.ValueCopy(nil); err != nil {
				return err
			}
		}
		if err := fn(item.Key(), v); err != nil {
			return err
		}
	}
	return nil
}
