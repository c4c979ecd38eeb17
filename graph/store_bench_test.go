package graph

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkPutBatch measures the CPU per record of storing a generated population
// (8,944 records) in a new on-disk store, 100-record transactions at a time as a feed
// posting small batches does, and of bulk-loading it, index included, to the close;
// cpu-ns/record counts Badger's and Bleve's background work too:
//
//	go test ./graph -run '^$' -bench 'PutBatch|BulkLoad' -cpu 1 -count 3 -benchmem
func BenchmarkPutBatch(b *testing.B) {
	benchStore(b, func(s *Store, puts []Put) error {
		for lo := 0; lo < len(puts); lo += 100 {
			if _, err := s.PutBatch(context.Background(), puts[lo:min(lo+100, len(puts))]); err != nil {
				return err
			}
		}
		return nil
	})
}

func BenchmarkBulkLoad(b *testing.B) {
	benchStore(b, func(s *Store, puts []Put) error {
		ctx := context.Background()
		l, err := s.BulkLoad(ctx, nil)
		if err != nil {
			return err
		}
		for lo := 0; lo < len(puts); lo += 1000 {
			if err := l.Add(ctx, puts[lo:min(lo+1000, len(puts))]); err != nil {
				return err
			}
		}
		_, err = l.Finish(ctx)
		return err
	})
}

func benchStore(b *testing.B, fill func(*Store, []Put) error) {
	puts := genPuts(b, benchPeople)
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		s, err := Open(filepath.Join(b.TempDir(), "data"), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := fill(s, puts); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b, b.N*len(puts))
}
