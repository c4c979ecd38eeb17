package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Options configure an Engine. The zero value of each field means its default.
type Options struct {
	// Logger receives progress and summaries. Default: zerolog.Nop().
	Logger zerolog.Logger
	// BatchSize is how many records go to the store in one transaction. Default: 1000.
	BatchSize int
	// Workers is how many goroutines normalise records during ingest. Default: GOMAXPROCS.
	Workers int
}

// Engine links records into person and operator clusters over a graph.Store. It is safe
// for concurrent use: reads go straight to the store; writers (Ingest, Recluster) take
// turns, because clustering rewrites a whole level.
type Engine struct {
	writeMu sync.Mutex // serialises Ingest and Recluster

	store   *graph.Store
	log     zerolog.Logger
	batch   int
	workers int

	// Guarded by writeMu: the person model of the last full run (nil until read) and the
	// number of records it was fitted on, and how many records were linked incrementally
	// since (incremental.go).
	model        *fsModel
	modelRecords int
	linked       int
	// bands finds records by CV band for the linker (cvbands.go); nil until a link needs
	// it. Guarded by writeMu.
	bands *bandIndex
	// unsettled is set by a full run and cleared by settleAfterRun, which waits for the
	// compactions the run made due once the writer lock is released.
	unsettled atomic.Bool
}

// New returns an Engine over store. A nil opts means defaults.
func New(store *graph.Store, opts *Options) *Engine {
	e := &Engine{store: store, log: zerolog.Nop(), batch: 1000, workers: runtime.GOMAXPROCS(0)}
	if opts != nil {
		e.log = opts.Logger
		if opts.BatchSize > 0 {
			e.batch = opts.BatchSize
		}
		if opts.Workers > 0 {
			e.workers = opts.Workers
		}
	}
	return e
}

// Store returns the engine's store.
func (e *Engine) Store() *graph.Store { return e.store }

// Source yields records: ingest.Reader and ingest's CSV reader. A *ingest.ParseError
// means one bad input line; the source goes on with the next.
type Source interface {
	Next() (*ingest.Record, error)
}

// Summary counts what an ingest did.
type Summary struct {
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Rejected  int `json:"rejected"`
}

// Accepted is the number of records stored or found unchanged.
func (s Summary) Accepted() int { return s.New + s.Updated + s.Unchanged }

// IngestOptions are per-call options of Ingest; nil means none.
type IngestOptions struct {
	// OnReject is called for every rejected line.
	OnReject func(*ingest.ParseError)
	// OnProgress is called after every stored batch with the running totals.
	OnProgress func(Summary)
	// SkipCluster leaves clustering to a later Recluster call (or the next read, which
	// re-clusters stale clusters), e.g. after several files.
	SkipCluster bool
	// Link links the new and changed records into the stored clusters one at a time
	// (incremental.go) instead of re-clustering the store, when the clusters were current
	// before the call and few records changed; otherwise Ingest re-clusters, or with
	// SkipCluster leaves the clusters stale. For answering one applicant at a time and for
	// trickling streams; a later full run refines what it decided.
	Link bool
	// Bulk loads an empty store through the store's bulk loader (graph.BulkLoad: an
	// external sort streamed into Badger, and an offline-built index) instead of
	// transactions: for a first large file. A store that holds data already, and Link,
	// take the usual path. A bulk load is all or nothing: an error or a crash leaves the
	// store empty, and the same input can be sent again.
	Bulk bool
}

// Ingest reads every record of src, normalises it and stores it in batches, then
// re-clusters if anything changed. Bad lines are counted and reported through OnReject;
// the good lines around them are stored. A source error other than a ParseError stops the
// ingest after storing what was read before it.
//
// Reading, normalising and storing run as a pipeline: one goroutine reads batches, a
// worker per CPU normalises them, and one goroutine stores them in input order, so later
// versions of a record id always win. OnReject is called from the reading goroutine and
// OnProgress from the storing one; neither is called concurrently with itself.
func (e *Engine) Ingest(ctx context.Context, src Source, o *IngestOptions) (Summary, error) {
	if o == nil {
		o = &IngestOptions{}
	}
	defer e.settleAfterRun(ctx) // after the unlock below
	// The writer lock is taken when the first batch is ready to be stored, not before:
	// reading and normalising one request's records then overlaps storing the previous
	// request's (concurrent POST /v1/records). What this ingest reads of the store's
	// state (were the clusters current, is the store empty) is read under it.
	locked := false
	defer func() {
		if locked {
			e.writeMu.Unlock()
		}
	}()
	start := time.Now()
	staleBefore := true
	var changed []string // with o.Link, the ids of new and updated records, in order
	var bulk *graph.BulkLoader
	lock := func(ctx context.Context) error {
		e.writeMu.Lock()
		locked = true
		if o.Link {
			var err error
			if staleBefore, err = e.store.ClustersStale(ctx); err != nil {
				return err
			}
		}
		if o.Bulk && !o.Link {
			var err error
			bulk, err = e.store.BulkLoad(ctx, nil)
			if errors.Is(err, graph.ErrNotEmpty) {
				bulk = nil
			} else if err != nil {
				return err
			}
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	work := make(chan *ingestBatch, e.workers)
	ordered := make(chan *ingestBatch, e.workers+1)
	var rejected int
	var srcErr error
	g.Go(func() error {
		defer close(work)
		defer close(ordered)
		rejected, srcErr = e.readBatches(gctx, src, o.OnReject, work, ordered)
		return nil
	})
	for range e.workers {
		g.Go(func() error {
			for b := range work {
				for i := range b.puts {
					p := &b.puts[i]
					p.Identifiers = ingest.Identifiers(p.Record)
					p.Signals = signalsOf(p.Record, p.Identifiers)
					f := featuresOf(p.Identifiers)
					p.Blocks = photoBandKeys(f.photo, nameBlockingKeys(&f, nil))
					p.BlockSort = f.name
				}
				close(b.done)
			}
			return nil
		})
	}
	var sum Summary
	g.Go(func() error {
		for b := range ordered {
			select {
			case <-b.done:
			case <-gctx.Done():
				return gctx.Err()
			}
			if !locked {
				if err := lock(gctx); err != nil {
					return err
				}
			}
			if bulk != nil {
				if err := bulk.Add(gctx, b.puts); err != nil {
					return err
				}
				e.indexBands(b.puts)
				st := bulk.Stats()
				sum.New, sum.Updated, sum.Unchanged = st.New, st.Updated, st.Unchanged
				if o.OnProgress != nil {
					o.OnProgress(sum)
				}
				continue
			}
			res, err := e.store.PutBatch(gctx, b.puts)
			if err != nil {
				return err
			}
			e.indexBands(changedPuts(b.puts, res))
			for i, r := range res {
				switch r {
				case graph.New:
					sum.New++
				case graph.Updated:
					sum.Updated++
				case graph.Unchanged:
					sum.Unchanged++
				}
				if o.Link && r != graph.Unchanged && len(changed) <= maxIncRecords {
					changed = append(changed, b.puts[i].Record.RecordID)
				}
			}
			if o.OnProgress != nil {
				o.OnProgress(sum)
			}
		}
		return nil
	})
	err := g.Wait()
	sum.Rejected = rejected
	if bulk != nil {
		if err == nil {
			var st graph.BulkStats
			st, err = bulk.Finish(ctx)
			sum.New, sum.Updated, sum.Unchanged = st.New, st.Updated, st.Unchanged
		} else {
			err = errors.Join(err, bulk.Abort())
			sum.New, sum.Updated, sum.Unchanged = 0, 0, 0
		}
	}
	if err != nil {
		return sum, err
	}
	e.log.Info().Int("new", sum.New).Int("updated", sum.Updated).Int("unchanged", sum.Unchanged).
		Int("rejected", sum.Rejected).Dur("took", time.Since(start)).Msg("ingest done")
	if srcErr != nil {
		return sum, srcErr
	}
	if sum.New+sum.Updated == 0 {
		return sum, nil
	}
	if o.Link && !staleBefore && len(changed) <= maxIncRecords {
		linkStart := time.Now()
		ok, err := e.linkNew(ctx, changed)
		if err != nil || ok {
			e.log.Debug().Int("records", len(changed)).Dur("took", time.Since(linkStart)).Msg("linked incrementally")
			return sum, err
		}
	}
	if o.SkipCluster {
		return sum, nil
	}
	return sum, e.reclusterLocked(ctx)
}

// ingestBatch is a batch of records on its way through the ingest pipeline; done is
// closed when its identifiers are filled in.
type ingestBatch struct {
	puts []graph.Put
	done chan struct{}
}

// readBatches reads src into batches and hands each to the workers (work) and, in input
// order, to the writer (ordered). It returns the number of rejected lines and the source
// error that stopped it, if any.
func (e *Engine) readBatches(ctx context.Context, src Source, onReject func(*ingest.ParseError), work, ordered chan<- *ingestBatch) (int, error) {
	rejected := 0
	b := &ingestBatch{puts: make([]graph.Put, 0, e.batch), done: make(chan struct{})}
	send := func() bool {
		if len(b.puts) == 0 {
			return true
		}
		select {
		case ordered <- b:
		case <-ctx.Done():
			return false
		}
		select {
		case work <- b:
		case <-ctx.Done():
			return false
		}
		b = &ingestBatch{puts: make([]graph.Put, 0, e.batch), done: make(chan struct{})}
		return true
	}
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *ingest.ParseError
		if errors.As(err, &pe) {
			rejected++
			if onReject != nil {
				onReject(pe)
			}
			continue
		}
		if err != nil {
			send()
			return rejected, fmt.Errorf("engine: read input: %w", err)
		}
		b.puts = append(b.puts, graph.Put{Record: rec})
		if len(b.puts) == e.batch && !send() {
			return rejected, ctx.Err()
		}
	}
	if !send() {
		return rejected, ctx.Err()
	}
	return rejected, nil
}

// EnsureClustered re-clusters if records changed since clusters were last written, e.g.
// because an earlier run was interrupted between storing records and clustering them.
func (e *Engine) EnsureClustered(ctx context.Context) error {
	stale, err := e.store.ClustersStale(ctx)
	if err != nil || !stale {
		return err
	}
	defer e.settleAfterRun(ctx) // after the unlock below
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	// Another caller may have re-clustered while this one waited.
	if stale, err = e.store.ClustersStale(ctx); err != nil || !stale {
		return err
	}
	return e.reclusterLocked(ctx)
}
