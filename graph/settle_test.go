package graph

import (
	"context"
	"fmt"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

func TestCompactionDue(t *testing.T) {
	for _, c := range []struct {
		name   string
		levels []badger.LevelInfo
		want   bool
	}{
		{"nothing scored", []badger.LevelInfo{{Level: 0}, {Level: 6}}, false},
		{"level 0 over its trigger", []badger.LevelInfo{{Level: 0, Score: 1.2, Adjusted: 0.5}}, true},
		{"a level waiting for a fuller next one", []badger.LevelInfo{{Level: 3, Score: 1.3, Adjusted: 0.8}}, false},
		{"a level due", []badger.LevelInfo{{Level: 0, Score: 0.4}, {Level: 5, Score: 1.1, Adjusted: 1.1}}, true},
	} {
		if got := compactionDue(c.levels); got != c.want {
			t.Errorf("%s: compactionDue = %v, want %v", c.name, got, c.want)
		}
	}
}

// After many small memtables, Settle returns once nothing is due, and says so.
func TestSettleAfterWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), &Options{MemTableSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for b := range 10 {
		var puts []Put
		for i := range 500 {
			puts = append(puts, mustParse(t, fmt.Sprintf(`{"record_id":"r%d-%d","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Person %d %d","emails":["p%d.%d@example.com"],"cv_text":"%0300d"}`, b, i, b, i, b, i, i)))
		}
		if _, err := s.PutBatch(ctx, puts); err != nil {
			t.Fatal(err)
		}
	}
	settled, err := s.Settle(ctx, time.Minute)
	if err != nil || !settled {
		t.Fatalf("Settle = %v, %v", settled, err)
	}
	if compactionDue(s.db.Levels()) {
		t.Fatalf("compactions still due after Settle: %s", s.db.LevelsToString())
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if settled, err := s.Settle(cancelled, time.Minute); settled != (err == nil) {
		t.Fatalf("Settle with a cancelled context: settled %v, err %v", settled, err)
	}
}
