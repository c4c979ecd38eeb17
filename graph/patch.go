package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"

	"github.com/dgraph-io/badger/v4"
	"golang.org/x/sync/errgroup"

	"github.com/personagraph/personagraph/ingest"
)

// The incremental path: the engine links a few new records against the clusters already
// stored and rewrites only the clusters they touch, instead of re-clustering the store.

// RecordState is what linking needs of a stored record: its signals, identifiers and
// current clusters, without its JSON.
type RecordState struct {
	ID          string
	Signals     uint32
	Identifiers []ingest.Identifier
	Person      string // person cluster id ("" when not clustered)
	Operator    string // operator cluster id ("" when not clustered)
}

// Cluster returns the record's cluster id at level l.
func (st *RecordState) Cluster(l Level) string {
	if l == Person {
		return st.Person
	}
	return st.Operator
}

// RecordStates reads the states of records from one snapshot, in the order of ids;
// records that do not exist are left out.
func (s *Store) RecordStates(ctx context.Context, ids []string) ([]RecordState, error) {
	sts := make([]RecordState, len(ids))
	err := s.db.View(func(txn *badger.Txn) error {
		return eachPart(len(ids), func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if err := readState(txn, ids[i], &sts[i]); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := sts[:0]
	for _, st := range sts {
		if st.ID != "" {
			out = append(out, st)
		}
	}
	return out, nil
}

// readState reads record id's state into st, leaving st zero when the record does not
// exist. A record's identifier list and its record key are written and deleted together,
// and the list carries the signals (identcodec.go), so the record key is read only for a
// list written before it did.
func readState(txn *badger.Txn, id string, st *RecordState) error {
	item, err := txn.Get(recIdentKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	*st = RecordState{ID: id}
	var hasSignals bool
	if err := item.Value(func(v []byte) (err error) {
		st.Identifiers, st.Signals, hasSignals, err = decodeIdentifierList(v)
		return err
	}); err != nil {
		return fmt.Errorf("graph: record %q identifiers: %w", id, err)
	}
	if !hasSignals {
		item, err := txn.Get(recordKey(id))
		if err != nil {
			return fmt.Errorf("graph: record %q: %w", id, err)
		}
		if err := item.Value(func(v []byte) error {
			m, err := unmarshalMeta(v)
			st.Signals = m.signals
			return err
		}); err != nil {
			return fmt.Errorf("graph: record %q: %w", id, err)
		}
	}
	if st.Person, err = membership(txn, Person, id); err != nil {
		return err
	}
	st.Operator, err = membership(txn, Operator, id)
	return err
}

// membership reads record id's cluster at level l, "" when it has none.
func membership(txn *badger.Txn, l Level, id string) (string, error) {
	item, err := txn.Get(membershipKey(l, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var c string
	err = item.Value(func(v []byte) error {
		c = string(v)
		return nil
	})
	return c, err
}

// minPart is the fewest records a part of a parallel read takes: below it, a goroutine
// costs more than the reads it would take over.
const minPart = 16

// eachPart calls read on consecutive parts [lo, hi) of n items, at once on up to
// GOMAXPROCS goroutines when n is large enough. Linking one record reads the states of
// dozens to hundreds of others at random places in the store, one Badger Get after
// another; those reads are most of a check's time (a 1M-record store: 3 Gets per state,
// about 7 µs each), and splitting them over the cores shortens the slowest checks.
// A read-only Txn may serve several goroutines: its Get changes nothing in the Txn
// (only an update Txn tracks its reads).
func eachPart(n int, read func(lo, hi int) error) error {
	parts := min(runtime.GOMAXPROCS(0), n/minPart)
	if parts <= 1 {
		return read(0, n)
	}
	var g errgroup.Group
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		g.Go(func() error { return read(lo, hi) })
	}
	return g.Wait()
}

// ClusterPatch replaces some clusters of one level: the clusters named in Drop are
// deleted and those in Put written, with their records' memberships.
type ClusterPatch struct {
	Level Level
	Drop  []string
	Put   []*Cluster
}

// ErrPatchTooBig says a patch touched more than one transaction holds; the caller
// re-clusters instead.
var ErrPatchTooBig = errors.New("graph: cluster patch too big for one transaction")

// PatchClusters applies patches in one transaction, so a reader sees the clusters from
// before or after, never a mix. With clearStale the stale marker goes in the same
// transaction: the caller has linked every record stored since clusters were last
// consistent.
func (s *Store) PatchClusters(ctx context.Context, patches []ClusterPatch, clearStale bool) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, p := range patches {
			for _, id := range p.Drop {
				if err := txn.Delete(clusterKey(p.Level, id)); err != nil {
					return err
				}
			}
			for _, c := range p.Put {
				c.Level = p.Level.String()
				c.Size = len(c.Records)
				v, err := json.Marshal(c)
				if err != nil {
					return err
				}
				if err := txn.Set(clusterKey(p.Level, c.ID), v); err != nil {
					return err
				}
				for _, r := range c.Records {
					// A merge into a big cluster changes few memberships: write only those.
					k := membershipKey(p.Level, r)
					if same, err := valueIs(txn, k, c.ID); err != nil {
						return err
					} else if same {
						continue
					}
					if err := txn.Set(k, []byte(c.ID)); err != nil {
						return err
					}
				}
			}
		}
		if clearStale {
			return txn.Delete([]byte{keyStale})
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) {
		return ErrPatchTooBig
	}
	if err != nil {
		return fmt.Errorf("graph: patch clusters: %w", err)
	}
	return nil
}

// valueIs reports whether key holds exactly v.
func valueIs(txn *badger.Txn, key []byte, v string) (bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	same := false
	err = item.Value(func(b []byte) error {
		same = string(b) == v
		return nil
	})
	return same, err
}

// Memberships returns the cluster id at level l of each record ("" when none), in the
// order of ids.
func (s *Store) Memberships(ctx context.Context, l Level, ids []string) ([]string, error) {
	out := make([]string, len(ids))
	err := s.db.View(func(txn *badger.Txn) error {
		for i, id := range ids {
			var err error
			if out[i], err = membership(txn, l, id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// HolderOf is one posting: a record holding a value.
type HolderOf struct {
	Value, RecordID string
}

// HoldersBetween returns the postings of kind whose values have the length of lo and
// lie in [lo, hi] byte-wise, at most limit of them. Values of one length are contiguous
// and ordered in the posting keys, so for fixed-length numbers (E.164 phones of one
// country) this is a numeric range.
func (s *Store) HoldersBetween(ctx context.Context, kind ingest.Kind, lo, hi string, limit int) ([]HolderOf, error) {
	var out []HolderOf
	if len(lo) != len(hi) || lo > hi {
		return nil, nil
	}
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := postingKindPrefix(kind)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(postingValuePrefix(kind, lo)); it.Valid() && len(out) < limit; it.Next() {
			value, id, ok := parsePostingKey(it.Item().Key(), len(prefix))
			if !ok || len(value) != len(lo) || string(value) > hi {
				return nil
			}
			out = append(out, HolderOf{Value: string(value), RecordID: string(id)})
		}
		return nil
	})
	return out, err
}

// EachIdentifierOf calls fn with the kind and value of every current identifier of each
// record (i indexes ids; records that do not exist are skipped), without decoding raw
// values and flags: for comparing many candidates, most of which are dropped. value is
// valid only during the call.
func (s *Store) EachIdentifierOf(ctx context.Context, ids []string, fn func(i int, kind ingest.Kind, value []byte)) error {
	return s.db.View(func(txn *badger.Txn) error {
		// The values are read in parts at once and handed to fn in order, one record at
		// a time, as fn expects.
		vals, found := make([][]byte, len(ids)), make([]bool, len(ids))
		if err := eachPart(len(ids), func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				item, err := txn.Get(recIdentKey(ids[i]))
				if errors.Is(err, badger.ErrKeyNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if vals[i], err = item.ValueCopy(nil); err != nil {
					return err
				}
				found[i] = true
			}
			return nil
		}); err != nil {
			return err
		}
		for i, v := range vals {
			if !found[i] {
				continue
			}
			if err := eachIdentifier(v, func(kind, value []byte) error {
				fn(i, ingest.Kind(kind), value)
				return nil
			}); err != nil {
				return fmt.Errorf("graph: record %q identifiers: %w", ids[i], err)
			}
		}
		return nil
	})
}

// Value names one identifier value.
type Value struct {
	Kind  ingest.Kind
	Value string
}

// HoldersOfEach is HoldersUpTo for many values at once, through one iterator: creating a
// Badger iterator costs more than a short scan, and linking one record reads dozens.
func (s *Store) HoldersOfEach(ctx context.Context, values []Value, limit int) (ids [][]string, more []bool, err error) {
	ids, more = make([][]string, len(values)), make([]bool, len(values))
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixPosting}})
		defer it.Close()
		for i, v := range values {
			prefix := postingValuePrefix(v.Kind, v.Value)
			for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
				if limit > 0 && len(ids[i]) == limit {
					more[i] = true
					break
				}
				ids[i] = append(ids[i], string(it.Item().Key()[len(prefix):]))
			}
		}
		return nil
	})
	return ids, more, err
}

// MarkStale marks the clusters stale, so that the engine computes them again on the next
// read: something they depend on besides records changed (an analyst label).
func (s *Store) MarkStale(ctx context.Context) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte{keyStale}, nil) }); err != nil {
		return fmt.Errorf("graph: mark clusters stale: %w", err)
	}
	return nil
}
