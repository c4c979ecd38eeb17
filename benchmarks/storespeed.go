package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// StoreResult is one way of filling a store with the same records: the store suite.
type StoreResult struct {
	Mode          string        `json:"mode"`
	Records       int           `json:"records"`
	Pairs         int           `json:"pairs,omitempty"` // Badger keys written, raw modes
	Took          time.Duration `json:"took_ns"`
	RecordsPerSec float64       `json:"records_per_s"`
	// PeakRSS is the process's peak resident set during this mode alone (Linux: VmHWM,
	// reset before the mode starts), Badger's and Bleve's mapped files included; 0 where
	// the platform does not tell.
	PeakRSS uint64 `json:"peak_rss_bytes"`
	// PeakAnonRSS is the peak of the anonymous part alone (heap, stacks; no file pages),
	// sampled every 20 ms.
	PeakAnonRSS    uint64  `json:"peak_anon_rss_bytes"`
	PeakGoMemory   uint64  `json:"peak_go_memory_bytes"`
	StoreBytes     int64   `json:"store_bytes"`
	BytesPerRecord float64 `json:"bytes_per_record"`
}

// Store suite modes.
const (
	ModeBulk        = "bulk load (ingest into an empty store)"
	ModeStream      = "stream of 100-record batches (transactions)"
	ModeRawBatch    = "raw Badger WriteBatch, same keys"
	ModeRawStream   = "raw Badger StreamWriter, same keys"
	ModeRawReadOnly = "reading those keys (part of both raw rows)"
)

// RunStore fills fresh stores under workDir with the NDJSON file input: once through
// the bulk loader, once as a stream of 100-record transactions (what a feed posting
// small batches does), and then writes the bulk-loaded store's keys raw into bare Badger
// databases, to show the store's overhead over Badger. Every mode stores the records and
// their search index (raw modes: keys only); none clusters.
func RunStore(ctx context.Context, workDir, input string, modes []string, say func(string)) ([]StoreResult, error) {
	var out []StoreResult
	want := func(m string) bool { return len(modes) == 0 || slices.Contains(modes, m) }
	dir := filepath.Join(workDir, "store-bulk")
	defer os.RemoveAll(dir)
	if want("bulk") || want("raw") {
		say("store: bulk load")
		r, err := storeIngest(ctx, dir, input, ModeBulk, nil, true)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	if want("raw") {
		st, err := graph.Open(dir, nil)
		if err != nil {
			return out, err
		}
		records := out[len(out)-1].Records
		for _, m := range []struct {
			name string
			mode graph.RawCopyMode
		}{{ModeRawReadOnly, graph.RawReadOnly}, {ModeRawBatch, graph.RawWriteBatch}, {ModeRawStream, graph.RawStreamWriter}} {
			say("store: " + m.name)
			raw := filepath.Join(workDir, "store-raw")
			rss := startPhase()
			mem := startPeakMemory()
			pairs, took, err := st.RawCopy(ctx, raw, m.mode)
			r := StoreResult{Mode: m.name, Records: records, Pairs: pairs, Took: took, PeakGoMemory: mem.Stop()}
			r.PeakRSS, r.PeakAnonRSS = rss.end()
			if err == nil {
				r.RecordsPerSec = float64(records) / took.Seconds()
				if m.mode != graph.RawReadOnly {
					r.StoreBytes = graph.DiskUsage(raw)
					r.BytesPerRecord = float64(r.StoreBytes) / float64(records)
				}
			}
			os.RemoveAll(raw)
			if err != nil {
				st.Close()
				return out, err
			}
			out = append(out, r)
		}
		if err := st.Close(); err != nil {
			return out, err
		}
	}
	os.RemoveAll(dir)
	if want("stream") {
		say("store: stream of small batches")
		sdir := filepath.Join(workDir, "store-stream")
		defer os.RemoveAll(sdir)
		r, err := storeIngest(ctx, sdir, input, ModeStream, &engine.Options{BatchSize: 100}, false)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// storeIngest ingests input into a new store in dir without clustering, and measures it.
// The store is closed (its index persisted) before the clock stops.
func storeIngest(ctx context.Context, dir, input, mode string, opts *engine.Options, bulk bool) (StoreResult, error) {
	res := StoreResult{Mode: mode}
	f, err := os.Open(input)
	if err != nil {
		return res, err
	}
	defer f.Close()
	rss := startPhase()
	mem := startPeakMemory()
	start := time.Now()
	st, err := graph.Open(dir, nil)
	if err != nil {
		mem.Stop()
		return res, err
	}
	sum, err := engine.New(st, opts).Ingest(ctx, ingest.NewReader(bufio.NewReaderSize(f, 1<<20), 0), &engine.IngestOptions{SkipCluster: true, Bulk: bulk})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	res.Took = time.Since(start)
	res.PeakGoMemory = mem.Stop()
	res.PeakRSS, res.PeakAnonRSS = rss.end()
	if err != nil {
		return res, err
	}
	res.Records = sum.Accepted()
	if res.Records == 0 {
		return res, errNoRecords
	}
	res.RecordsPerSec = float64(res.Records) / res.Took.Seconds()
	res.StoreBytes = graph.DiskUsage(dir)
	res.BytesPerRecord = float64(res.StoreBytes) / float64(res.Records)
	return res, nil
}

// phase measures the peak resident set of the process from its start. Linux keeps the
// peak (VmHWM) and resets it when "5" is written to /proc/self/clear_refs. VmHWM counts
// the pages of memory-mapped files too: Badger writes and reads its tables through
// mmap, so a store's whole size can show up there although the kernel may drop those
// pages whenever memory is short. The anonymous part (RssAnon, the memory the process
// cannot give back) has no kept peak, so it is sampled. So is the whole RSS: the kernel
// updates VmHWM when memory is unmapped, not when Go hands pages back with madvise, so a
// peak between two such events can be missing from VmHWM.
type phase struct {
	ok       bool
	stop     chan struct{}
	done     chan struct{}
	peakAnon uint64
	peakRSS  uint64
}

func startPhase() *phase {
	debug.FreeOSMemory() // what an earlier phase left is not this one's
	p := &phase{stop: make(chan struct{}), done: make(chan struct{})}
	p.ok = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	go func() {
		defer close(p.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v := procStatus("RssAnon:"); v > p.peakAnon {
				p.peakAnon = v
			}
			if v := procStatus("VmRSS:"); v > p.peakRSS {
				p.peakRSS = v
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// end stops sampling and returns the peak RSS and the peak anonymous RSS, in bytes.
func (p *phase) end() (rss, anon uint64) {
	close(p.stop)
	<-p.done
	if p.ok {
		rss = max(procStatus("VmHWM:"), p.peakRSS, p.peakAnon)
	}
	return rss, p.peakAnon
}

// procStatus reads one "Name: N kB" line of /proc/self/status, in bytes; 0 when absent.
func procStatus(name string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte(name)); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// WriteStoreResults writes the store suite's table as Markdown.
func WriteStoreResults(w io.Writer, env Env, input string, rs []StoreResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# personagraph store benchmark\n\n")
	fmt.Fprintf(&b, "Measured %s on %s/%s, %d CPUs, %s", env.Date.UTC().Format("2006-01-02 15:04 MST"),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	if env.Commit != "" {
		fmt.Fprintf(&b, ", commit %s", env.Commit)
	}
	fmt.Fprintf(&b, ".\n")
	fmt.Fprintf(&b, "Regenerate with `%s`.\n\n", env.Command)
	fmt.Fprintf(&b, "Input: %s. Each row fills a fresh store (records, versions, postings, blocking keys and the\n", input)
	fmt.Fprintf(&b, "search index; no clustering), timed from opening the store to closing it. Peak RSS is the whole\n")
	fmt.Fprintf(&b, "process during that row alone (VmHWM, reset before it), pages of Badger's and Bleve's memory-mapped\n")
	fmt.Fprintf(&b, "files included, which the kernel drops when memory is short; anon RSS is the rest (heap, stacks),\n")
	fmt.Fprintf(&b, "sampled every 20 ms. Raw rows write the\n")
	fmt.Fprintf(&b, "bulk-loaded store's keys into a bare Badger database, read from the store in key order (the best\n")
	fmt.Fprintf(&b, "case for WriteBatch), with no parsing, normalising, sorting or index.\n\n")
	fmt.Fprintf(&b, "| mode | records | Badger keys | seconds | records/s | peak RSS MiB | peak anon RSS MiB | peak Go memory MiB | store MiB | bytes/record |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		pairs := ""
		if r.Pairs > 0 {
			pairs = strconv.Itoa(r.Pairs)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f |\n", r.Mode, r.Records, pairs,
			r.Took.Seconds(), r.RecordsPerSec, float64(r.PeakRSS)/(1<<20), float64(r.PeakAnonRSS)/(1<<20), float64(r.PeakGoMemory)/(1<<20),
			float64(r.StoreBytes)/(1<<20), r.BytesPerRecord)
	}
	var bulk, rawRead, rawBatch, rawStream time.Duration
	for _, r := range rs {
		switch r.Mode {
		case ModeBulk:
			bulk = r.Took
		case ModeRawReadOnly:
			rawRead = r.Took
		case ModeRawBatch:
			rawBatch = r.Took - rawRead
		case ModeRawStream:
			rawStream = r.Took - rawRead
		}
	}
	if bulk > 0 && rawBatch > 0 && rawStream > 0 {
		fmt.Fprintf(&b, "\nOverhead: the bulk load takes %.1fx the time of writing its keys raw through a WriteBatch, and\n", bulk.Seconds()/rawBatch.Seconds())
		fmt.Fprintf(&b, "%.1fx that of a raw StreamWriter (raw times less the reading row).\n", bulk.Seconds()/rawStream.Seconds())
	}
	_, err := io.WriteString(w, b.String())
	return err
}
