package graph

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// NewLevelWriter writes every cluster of a level that holds none yet, as the first
// clustering after an ingest does. ClusterWriter reads each cluster and membership key
// before writing it, so that a re-run writes only what changed; on an empty level every
// read misses, and at 300k records those misses were a fifth of a full clustering run's
// CPU time.
type NewLevelWriter struct {
	s     *Store
	level Level
	wb    *badger.WriteBatch
}

// ReplaceEmptyClusters starts writing the clusters of a level that holds no clusters. ok
// is false, and nothing is started, when the level holds some: use ReplaceClusters then.
// Like ReplaceClusters, it marks the clusters stale until Commit.
func (s *Store) ReplaceEmptyClusters(ctx context.Context, l Level) (w *NewLevelWriter, ok bool, err error) {
	empty := true
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: clusterPrefix(l)})
		defer it.Close()
		it.Rewind()
		empty = !it.Valid()
		return nil
	})
	if err != nil || !empty {
		return nil, false, err
	}
	if err := s.MarkStale(ctx); err != nil {
		return nil, false, err
	}
	return &NewLevelWriter{s: s, level: l, wb: s.db.NewWriteBatch()}, true, nil
}

// Add writes one cluster and its members' membership.
func (w *NewLevelWriter) Add(c *Cluster) error {
	c.Level = w.level.String()
	c.Size = len(c.Records)
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := w.wb.Set(clusterKey(w.level, c.ID), v); err != nil {
		return fmt.Errorf("graph: write cluster %s: %w", c.ID, err)
	}
	id := []byte(c.ID)
	for _, r := range c.Records {
		if err := w.wb.Set(membershipKey(w.level, r), id); err != nil {
			return fmt.Errorf("graph: write membership of %q: %w", r, err)
		}
	}
	return nil
}

// Commit flushes and, with clean, clears the stale marker (ClusterWriter.Commit).
func (w *NewLevelWriter) Commit(clean bool) error {
	if err := w.wb.Flush(); err != nil {
		return fmt.Errorf("graph: flush clusters: %w", err)
	}
	if !clean {
		return nil
	}
	return w.s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte{keyStale}) })
}

// Cancel abandons the rewrite; the clusters stay stale.
func (w *NewLevelWriter) Cancel() { w.wb.Cancel() }
