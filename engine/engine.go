package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Options configure an Engine. The zero value of each field means its default.
type Options struct {
	// Logger receives progress and summaries. Default: zerolog.Nop().
	Logger zerolog.Logger
	// BatchSize is how many records go to the store in one transaction. Default: 1000.
	BatchSize int
}

// Engine links records into person and operator clusters over a graph.Store.
type Engine struct {
	store *graph.Store
	log   zerolog.Logger
	batch int
}

// New returns an Engine over store. A nil opts means defaults.
func New(store *graph.Store, opts *Options) *Engine {
	e := &Engine{store: store, log: zerolog.Nop(), batch: 1000}
	if opts != nil {
		e.log = opts.Logger
		if opts.BatchSize > 0 {
			e.batch = opts.BatchSize
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
	// SkipCluster leaves clustering to a later Recluster call, e.g. after several files.
	SkipCluster bool
}

// Ingest reads every record of src, normalises it and stores it in batches, then
// re-clusters if anything changed. Bad lines are counted and reported through OnReject;
// the good lines around them are stored. A source error other than a ParseError stops the
// ingest after storing what was read before it.
func (e *Engine) Ingest(ctx context.Context, src Source, o *IngestOptions) (Summary, error) {
	if o == nil {
		o = &IngestOptions{}
	}
	var sum Summary
	batch := make([]graph.Put, 0, e.batch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := e.store.PutBatch(ctx, batch)
		if err != nil {
			return err
		}
		for _, r := range res {
			switch r {
			case graph.New:
				sum.New++
			case graph.Updated:
				sum.Updated++
			case graph.Unchanged:
				sum.Unchanged++
			}
		}
		clear(batch)
		batch = batch[:0]
		if o.OnProgress != nil {
			o.OnProgress(sum)
		}
		return nil
	}
	start := time.Now()
	var srcErr error
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *ingest.ParseError
		if errors.As(err, &pe) {
			sum.Rejected++
			if o.OnReject != nil {
				o.OnReject(pe)
			}
			continue
		}
		if err != nil {
			srcErr = fmt.Errorf("engine: read input: %w", err)
			break
		}
		ids := ingest.Identifiers(rec)
		batch = append(batch, graph.Put{Record: rec, Identifiers: ids, Signals: signalsOf(rec, ids)})
		if len(batch) == e.batch {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	e.log.Info().Int("new", sum.New).Int("updated", sum.Updated).Int("unchanged", sum.Unchanged).
		Int("rejected", sum.Rejected).Dur("took", time.Since(start)).Msg("ingest done")
	if srcErr != nil {
		return sum, srcErr
	}
	if o.SkipCluster || sum.New+sum.Updated == 0 {
		return sum, nil
	}
	return sum, e.Recluster(ctx)
}

// EnsureClustered re-clusters if records changed since clusters were last written, e.g.
// because an earlier run was interrupted between storing records and clustering them.
func (e *Engine) EnsureClustered(ctx context.Context) error {
	stale, err := e.store.ClustersStale(ctx)
	if err != nil || !stale {
		return err
	}
	return e.Recluster(ctx)
}
