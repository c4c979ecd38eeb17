package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"

	"github.com/dgraph-io/badger/v4"
)

// Cluster is a stored cluster of one level.
type Cluster struct {
	ID      string   `json:"cluster_id"`
	Level   string   `json:"level"`
	Size    int      `json:"size"`
	Records []string `json:"records"`
	Risk    float64  `json:"risk"`
	Flags   []string `json:"flags"`
	// Evidence names the shared values behind the flags, "kind:value" -> record ids.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is one shared identifier inside a cluster.
type Evidence struct {
	Kind    string   `json:"kind"`
	Value   string   `json:"value"`
	Records []string `json:"records"`
}

// ClusterWriter replaces every cluster of one level. It writes only what changed: a
// re-clustering after a few new records leaves almost every cluster as it was (ids come
// from members), and rewriting them all, after dropping the level's keys, made writing
// clusters most of a re-clustering's wall time. Writes go in batches that are not one
// transaction; the stale marker, cleared by Commit, tells a reader that a crash
// interrupted the rewrite and the clusters must be computed again.
type ClusterWriter struct {
	s     *Store
	level Level
	old   *badger.Txn // a snapshot of the clusters before the rewrite
	wb    *badger.WriteBatch
	seen  map[string]struct{} // cluster ids written by this rewrite
	// before maps the hash of every cluster and membership key of the level in old to the
	// hash of its value, read in two sequential scans when the first cluster is added. A
	// point read per key instead (a million memberships and half as many clusters per
	// level at 1M records) was a quarter of a re-clustering's CPU, mostly seeking and
	// decompressing a block per read; the map costs some 25 bytes a key for the
	// rewrite's duration. Equal hashes of different values (2^-64 a key) would leave a
	// key unwritten.
	before map[uint64]uint64
	seed   maphash.Seed
}

// ReplaceClusters starts rewriting the clusters of a level. Commit deletes the level's
// clusters that the rewrite did not Add.
func (s *Store) ReplaceClusters(ctx context.Context, l Level) (*ClusterWriter, error) {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte{keyStale}, nil) }); err != nil {
		return nil, fmt.Errorf("graph: mark clusters stale: %w", err)
	}
	return &ClusterWriter{s: s, level: l, old: s.db.NewTransaction(false), wb: s.db.NewWriteBatch(),
		seen: make(map[string]struct{})}, nil
}

// unchanged reports whether key already holds value in the snapshot.
func (w *ClusterWriter) unchanged(key, value []byte) (bool, error) {
	if w.before == nil {
		if err := w.readBefore(); err != nil {
			return false, err
		}
	}
	h, ok := w.before[maphash.Bytes(w.seed, key)]
	return ok && h == maphash.Bytes(w.seed, value), nil
}

// readBefore fills before from the snapshot.
func (w *ClusterWriter) readBefore() error {
	w.seed = maphash.MakeSeed()
	w.before = make(map[uint64]uint64)
	for _, prefix := range [][]byte{clusterPrefix(w.level), membershipPrefix(w.level)} {
		it := w.old.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 256})
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			if err := item.Value(func(v []byte) error {
				w.before[maphash.Bytes(w.seed, item.Key())] = maphash.Bytes(w.seed, v)
				return nil
			}); err != nil {
				it.Close()
				return fmt.Errorf("graph: read clusters: %w", err)
			}
		}
		it.Close()
	}
	return nil
}

// Add writes one cluster and its members' membership, where they differ from before.
func (w *ClusterWriter) Add(c *Cluster) error {
	c.Level = w.level.String()
	c.Size = len(c.Records)
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	w.seen[c.ID] = struct{}{}
	k := clusterKey(w.level, c.ID)
	if same, err := w.unchanged(k, v); err != nil {
		return err
	} else if !same {
		if err := w.wb.Set(k, v); err != nil {
			return fmt.Errorf("graph: write cluster %s: %w", c.ID, err)
		}
	}
	id := []byte(c.ID)
	for _, r := range c.Records {
		k := membershipKey(w.level, r)
		if same, err := w.unchanged(k, id); err != nil {
			return err
		} else if same {
			continue
		}
		if err := w.wb.Set(k, id); err != nil {
			return fmt.Errorf("graph: write membership of %q: %w", r, err)
		}
	}
	return nil
}

// Commit deletes the clusters of the level that this rewrite did not add, flushes, and
// with clean (the caller has rewritten every level from a consistent read) clears the
// stale marker. Memberships need no sweep: every stored record is in some added cluster,
// and Forget deletes a record's memberships with it.
func (w *ClusterWriter) Commit(clean bool) error {
	defer w.old.Discard()
	prefix := clusterPrefix(w.level)
	it := w.old.NewIterator(badger.IteratorOptions{Prefix: prefix})
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if _, ok := w.seen[string(k[len(prefix):])]; ok {
			continue
		}
		if err := w.wb.Delete(it.Item().KeyCopy(nil)); err != nil {
			it.Close()
			return fmt.Errorf("graph: delete old cluster: %w", err)
		}
	}
	it.Close()
	if err := w.wb.Flush(); err != nil {
		return fmt.Errorf("graph: flush clusters: %w", err)
	}
	if !clean {
		return nil
	}
	return w.s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte{keyStale}) })
}

// Cancel abandons the rewrite; the clusters stay stale.
func (w *ClusterWriter) Cancel() {
	w.wb.Cancel()
	w.old.Discard()
}

// ClustersStale reports whether records changed since clusters were last written.
func (s *Store) ClustersStale(ctx context.Context) (bool, error) {
	stale := false
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get([]byte{keyStale})
		switch {
		case err == nil:
			stale = true
		case errors.Is(err, badger.ErrKeyNotFound):
		default:
			return err
		}
		return nil
	})
	return stale, err
}

// ForEachCluster calls fn with every cluster of a level, in cluster id order.
func (s *Store) ForEachCluster(ctx context.Context, l Level, fn func(*Cluster) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: clusterPrefix(l), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var c Cluster
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &c) }); err != nil {
				return fmt.Errorf("graph: cluster %q: %w", it.Item().Key(), err)
			}
			if err := fn(&c); err != nil {
				return err
			}
		}
		return nil
	})
}

// Cluster returns one cluster by id.
func (s *Store) Cluster(ctx context.Context, l Level, id string) (*Cluster, error) {
	var c *Cluster
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		c, err = readCluster(txn, l, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("cluster %q: %w", id, ErrNotFound)
	}
	return c, nil
}

// Clusters returns the clusters of level l with the given ids, nil for an id that names
// none, read from one view in parts on every core as RecordStates reads states: the
// incremental linker reads the person clusters of a value's other holders together
// rather than one lookup after another.
func (s *Store) Clusters(ctx context.Context, l Level, ids []string) ([]*Cluster, error) {
	cs := make([]*Cluster, len(ids))
	err := s.db.View(func(txn *badger.Txn) error {
		return eachPart(len(ids), func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				c, err := readCluster(txn, l, ids[i])
				if err != nil {
					return err
				}
				cs[i] = c
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// readCluster reads one cluster in txn; nil when there is none.
func readCluster(txn *badger.Txn, l Level, id string) (*Cluster, error) {
	item, err := txn.Get(clusterKey(l, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &Cluster{}
	if err := item.Value(func(v []byte) error { return json.Unmarshal(v, c) }); err != nil {
		return nil, fmt.Errorf("graph: cluster %q: %w", id, err)
	}
	return c, nil
}
