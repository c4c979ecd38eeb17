//go:build unix

package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// TestReclusterLarge measures a full clustering run on a real store, which is too slow
// for the ordinary suite. PG_LARGE_STORE names a store directory; with PG_LARGE_RECORDS
// (an NDJSON file) it is first built from those records without clustering. The store is
// copied, so every run writes every cluster, as the first run after an ingest does. With
// PG_LARGE_DUMP, every cluster of both levels (evidence included) is written there, to
// compare one run's results with another's; with PG_LARGE_PEAKPROFILE, heap profiles
// near the peak (see samplePeakHeap). Run it alone:
//
//	PG_LARGE_STORE=dir go test ./engine -run TestReclusterLarge -v -cpuprofile cpu.prof
func TestReclusterLarge(t *testing.T) {
	dir := os.Getenv("PG_LARGE_STORE")
	if dir == "" {
		t.Skip("PG_LARGE_STORE not set")
	}
	ctx := context.Background()
	log := zerolog.New(os.Stderr)
	if recs := os.Getenv("PG_LARGE_RECORDS"); recs != "" {
		st, err := graph.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(recs)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		e := New(st, &Options{Logger: log})
		if _, err := e.Ingest(ctx, ingest.NewReader(bufio.NewReaderSize(f, 1<<20), 0), &IngestOptions{SkipCluster: true}); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	work := filepath.Join(t.TempDir(), "store")
	if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	st, err := graph.Open(work, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := New(st, &Options{Logger: log})
	runtime.GC()
	done := make(chan struct{})
	peak := make(chan uint64)
	go samplePeakHeap(t, os.Getenv("PG_LARGE_PEAKPROFILE"), done, peak)
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	if err := e.Recluster(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() - before.Utime.Nano() + after.Stime.Nano() - before.Stime.Nano())
	t.Logf("recluster CPU (user+sys, Badger's background work included) %v", cpu)
	close(done)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("recluster took %v; peak heap in use %d MiB, heap sys %d MiB, total alloc %d MiB, GCs %d", took,
		<-peak>>20, ms.HeapSys>>20, ms.TotalAlloc>>20, ms.NumGC)
	if out := os.Getenv("PG_LARGE_DUMP"); out != "" {
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		for _, l := range graph.Levels() {
			if err := st.ForEachCluster(ctx, l, func(c *graph.Cluster) error { return enc.Encode(c) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
}

// samplePeakHeap reports the most heap memory in use (live and not yet swept objects)
// seen until done is closed; with a file name, it writes a heap profile there each time
// the peak grows by a tenth.
func samplePeakHeap(t *testing.T, profile string, done <-chan struct{}, peak chan<- uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var most, profiled, window uint64
	start, last := time.Now(), time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			peak <- most
			return
		case <-tick.C:
		}
		metrics.Read(s)
		v := s[0].Value.Uint64()
		most, window = max(most, v), max(window, v)
		if time.Since(last) >= 2*time.Second {
			t.Logf("%5.1fs heap objects at most %d MiB", time.Since(start).Seconds(), window>>20)
			last, window = time.Now(), 0
		}
		if profile != "" && v > profiled+profiled/10 {
			profiled = v
			runtime.GC() // the profile shows the live heap as of the last collection
			if f, err := os.Create(profile); err == nil {
				if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
					t.Log(err)
				}
				f.Close()
			}
		}
	}
}

// TestFeaturesMemoryLarge reports the live heap the person layer's inputs take on the
// store PG_LARGE_STORE (read in place, never written).
func TestFeaturesMemoryLarge(t *testing.T) {
	dir := os.Getenv("PG_LARGE_STORE")
	if dir == "" {
		t.Skip("PG_LARGE_STORE not set")
	}
	ctx := context.Background()
	work := filepath.Join(t.TempDir(), "store")
	if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	st, err := graph.Open(work, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := New(st, nil)
	live := func(what string) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("%s: live heap %d MiB", what, ms.HeapAlloc>>20)
	}
	live("open")
	index := make(map[string]int32)
	var ids []string
	if err := st.ForEachRecord(ctx, func(id string, _ uint32) error {
		index[id] = int32(len(ids))
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	live("ids and index")
	fs, err := e.loadFeatures(ctx, index)
	if err != nil {
		t.Fatal(err)
	}
	live("features")
	if p := os.Getenv("PG_LARGE_PEAKPROFILE"); p != "" {
		f, _ := os.Create(p)
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
	pairs := candidatePairs(fs)
	live("candidate pairs")
	t.Log(len(fs), len(ids), len(pairs), cap(pairs))
	runtime.KeepAlive(fs)
}
