package graph

import (
	"context"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Settle waits until Badger has no compaction due, or until max has passed or ctx is
// done; settled says which. A full re-clustering rewrites clusters and memberships and
// leaves Badger's level 0 full. The compactions that follow take both cores for a while,
// and checks answered meanwhile waited much longer: at 1M records, 500 checks in a fresh
// process gave a p99 of 67 and 74 ms with compactions running and 18 and 20 ms with
// them stopped. Settling at the end of the run that caused the work keeps it there,
// rather than in whatever process opens the store next.
//
// "Due" mirrors Badger's compactors: level 0 when its score reaches 1, any other level
// when its adjusted score does (a level whose next level is fuller waits for it).
func (s *Store) Settle(ctx context.Context, max time.Duration) (settled bool, err error) {
	deadline := time.Now().Add(max)
	for {
		if !compactionDue(s.db.Levels()) {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// compactionDue reports whether Badger's compactors have work: level 0 when its score
// reaches 1, any other level when its adjusted score does.
func compactionDue(levels []badger.LevelInfo) bool {
	for _, l := range levels {
		if l.Level == 0 && l.Score >= 1 || l.Adjusted >= 1 {
			return true
		}
	}
	return false
}
