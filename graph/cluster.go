package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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

// ClusterWriter replaces every cluster of one level. Clusters are written in batches that
// are not one transaction; the stale marker, cleared by Commit, tells a reader that a
// crash interrupted the rewrite and the clusters must be computed again.
type ClusterWriter struct {
	s     *Store
	level Level
	wb    *badger.WriteBatch
}

// ReplaceClusters starts rewriting the clusters of a level. It deletes the level's old
// clusters first.
func (s *Store) ReplaceClusters(ctx context.Context, l Level) (*ClusterWriter, error) {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte{keyStale}, nil) }); err != nil {
		return nil, fmt.Errorf("graph: mark clusters stale: %w", err)
	}
	for _, p := range [][]byte{membershipPrefix(l), clusterPrefix(l)} {
		if err := s.db.DropPrefix(p); err != nil {
			return nil, fmt.Errorf("graph: drop old clusters: %w", err)
		}
	}
	return &ClusterWriter{s: s, level: l, wb: s.db.NewWriteBatch()}, nil
}

// Add writes one cluster and its members' membership.
func (w *ClusterWriter) Add(c *Cluster) error {
	c.Level = w.level.String()
	c.Size = len(c.Records)
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := w.wb.Set(clusterKey(w.level, c.ID), v); err != nil {
		return fmt.Errorf("graph: write cluster %s: %w", c.ID, err)
	}
	for _, r := range c.Records {
		if err := w.wb.Set(membershipKey(w.level, r), []byte(c.ID)); err != nil {
			return fmt.Errorf("graph: write membership of %q: %w", r, err)
		}
	}
	return nil
}

// Commit flushes the clusters written. clean says whether the caller has now rewritten
// every level from a consistent read, which clears the stale marker.
func (w *ClusterWriter) Commit(clean bool) error {
	if err := w.wb.Flush(); err != nil {
		return fmt.Errorf("graph: flush clusters: %w", err)
	}
	if !clean {
		return nil
	}
	return w.s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte{keyStale}) })
}

// Cancel abandons the rewrite; the clusters stay stale.
func (w *ClusterWriter) Cancel() { w.wb.Cancel() }

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
	var c Cluster
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(clusterKey(l, id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("cluster %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &c) })
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}
