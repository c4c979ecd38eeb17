package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// sharedValue is an identifier held by two or more records. A million records share
// millions of values, so it keeps only what the scorer reads (it counts the person
// clusters holding a value itself, per level).
type sharedValue struct {
	kind    ingest.Kind
	value   string
	records []int32
	benign  bool // its holders look like a benign hub
}

// Recluster recomputes both levels of clusters from the stored identifiers and replaces
// the stored clusters.
func (e *Engine) Recluster(ctx context.Context) error {
	defer e.settleAfterRun(ctx) // after the unlock below
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.reclusterLocked(ctx)
}

// reclusterLocked is Recluster with writeMu held. Records get dense int32 ids in
// record-id order for the run.
func (e *Engine) reclusterLocked(ctx context.Context) error {
	start := time.Now()
	steps := newStepLog(e.log, "")
	var ids []string
	var signals []uint32
	index := make(map[string]int32)
	if err := e.store.ForEachRecord(ctx, func(id string, sig uint32) error {
		index[id] = int32(len(ids))
		ids = append(ids, id)
		signals = append(signals, sig)
		return nil
	}); err != nil {
		return fmt.Errorf("engine: list records: %w", err)
	}
	steps.done("list records")
	fs, err := e.loadFeatures(ctx, index)
	if err != nil {
		return fmt.Errorf("engine: read features: %w", err)
	}
	steps.done("load features")
	hubs, err := e.dropHubValues(ctx, index, fs)
	if err != nil {
		return fmt.Errorf("engine: find hub values: %w", err)
	}
	steps.done("hub values")
	personUF := newUnionFind(len(ids))
	md, compared, matched := linkPersons(fs, signals, personUF, rand.New(rand.NewPCG(uint64(len(ids)), 0x9e3779b97f4a7c15)))
	if b, err := md.marshal(len(ids)); err == nil {
		if err := e.store.PutMeta(ctx, metaPersonModel, b); err != nil {
			return err
		}
	}
	e.model, e.modelRecords, e.linked = md, len(ids), 0
	steps.done("person links")
	accounts, err := e.linkAccounts(ctx, index, fs, personUF)
	if err != nil {
		return fmt.Errorf("engine: link accounts: %w", err)
	}
	steps.done("accounts")
	near := collectNearEvidence(fs)
	steps.done("near evidence")
	churn := addressChurnOf(fs, personUF)
	steps.done("address churn")
	fs = nil
	e.log.Debug().Interface("m", md.m).Interface("u", md.u).Msg("person model")
	e.log.Info().Int("hub_values", hubs).Int("accounts", accounts).Int("pairs", compared).Int("matched", matched).Float64("match_share", md.lambda).
		Dur("took", time.Since(start)).Msg("person links")
	if err := ctx.Err(); err != nil {
		return err
	}
	// An operator's personas are distinct person clusters: "shared under several
	// personas" means held by records of two or more person clusters.
	persons := make([]int32, len(ids))
	for i := range persons {
		persons[i] = personUF.find(int32(i))
	}
	var edges opEdges
	shared, err := e.linkOperators(ctx, index, persons, signals, near, personUF.clone(), &edges)
	if err != nil {
		return err
	}
	// The operator clusters are union-find's, less the chains held by one weak edge.
	steps.done("operator links")
	uf, cut := refineOperators(personUF, edges)
	steps.done("refine")
	e.log.Info().Int("links", len(edges)).Int("cut", cut).Dur("took", time.Since(start)).Msg("operator links")
	edges = nil
	// The two levels are scored and written side by side: each is a goroutine scoring
	// and one encoding into a write batch, which kept about one core busy, and they share
	// nothing but read-only inputs (each level has its own union-find). The person level
	// commits first: the operator level's commit clears the stale marker.
	type levelRun struct {
		level graph.Level
		uf    *unionFind
		w     levelWriter
		n     int
	}
	levels := []*levelRun{{level: graph.Person, uf: personUF}, {level: graph.Operator, uf: uf}}
	committed := 0
	defer func() { // on error, abandon what is not committed: the clusters stay stale
		for _, l := range levels[committed:] {
			if l.w != nil {
				l.w.Cancel()
			}
		}
	}()
	for _, l := range levels {
		w, err := e.replaceClusters(ctx, l.level)
		if err != nil {
			return err
		}
		l.w = w
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, l := range levels {
		sc := scorer{ids: ids, persons: persons, signals: signals, uf: l.uf, shared: shared, churn: churn}
		scored := make(chan *graph.Cluster, 256)
		g.Go(func() error {
			defer close(scored)
			sc.indexShared()
			groups := groupMembers(l.uf)
			l.n = len(groups)
			for _, members := range groups {
				c := &graph.Cluster{ID: clusterID(l.level, ids[members[0]]), Records: make([]string, len(members))}
				for j, m := range members {
					c.Records[j] = ids[m]
				}
				sc.score(c, members)
				select {
				case scored <- c:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
		g.Go(func() error {
			for c := range scored {
				if err := l.w.Add(c); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, l := range levels {
		err := l.w.Commit(i == len(levels)-1)
		committed++ // Commit ends its writer, failed or not: no Cancel after it
		if err != nil {
			return err
		}
		e.log.Info().Str("level", l.level.String()).Int("clusters", l.n).Int("records", len(ids)).
			Dur("took", time.Since(start)).Msg("clusters written")
	}
	e.unsettled.Store(true)
	return nil
}

// maxSettle bounds the wait for compactions after a full run.
const maxSettle = 2 * time.Minute

// settleAfterRun waits for the compactions a full run made due (graph.Store.Settle), if
// one ran; callers defer it before taking the writer lock, so that it runs after the
// unlock. The rewrite of every cluster and membership leaves Badger's level 0 full, and
// checks answered while the compactions run wait several times longer at p99 (67-74 ms
// against 18-20 ms at 1M records); waiting here keeps that work in the call that caused
// it (an ingest, a reconcile) instead of the next process to open the store, and
// waiting outside the lock lets checks go on meanwhile.
func (e *Engine) settleAfterRun(ctx context.Context) {
	if !e.unsettled.Swap(false) {
		return
	}
	start := time.Now()
	settled, err := e.store.Settle(ctx, maxSettle)
	if err != nil {
		e.log.Warn().Err(err).Msg("waiting for store compactions")
		return
	}
	e.log.Info().Bool("settled", settled).Dur("took", time.Since(start)).Msg("store compactions after clustering")
}

// levelWriter writes the clusters of one level: graph.ClusterWriter, or
// graph.NewLevelWriter when the level holds none yet.
type levelWriter interface {
	Add(c *graph.Cluster) error
	Commit(clean bool) error
	Cancel()
}

// replaceClusters starts rewriting the clusters of a level, skipping the comparison
// with what was stored when nothing was (the first run after an ingest).
func (e *Engine) replaceClusters(ctx context.Context, l graph.Level) (levelWriter, error) {
	w, ok, err := e.store.ReplaceEmptyClusters(ctx, l)
	if err != nil {
		return nil, err
	}
	if ok {
		return w, nil
	}
	return e.store.ReplaceClusters(ctx, l)
}

// groupMembers returns the members of each set, each list ascending, lists ordered by
// their smallest member.
func groupMembers(uf *unionFind) [][]int32 {
	byRoot := make(map[int32]int, len(uf.parent)/2)
	var groups [][]int32
	for i := range uf.parent {
		r := uf.find(int32(i))
		g, ok := byRoot[r]
		if !ok {
			g = len(groups)
			byRoot[r] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], int32(i))
	}
	return groups
}

// clusterID names a cluster after its smallest record id, so the id is deterministic and
// stays the same across re-runs while that record stays the cluster's smallest.
func clusterID(l graph.Level, smallest string) string {
	h := sha256.Sum256([]byte(l.String() + "\x00" + smallest))
	return l.String()[:1] + "-" + hex.EncodeToString(h[:6])
}

// sortedUnique sorts and de-duplicates s in place.
func sortedUnique[T interface{ ~int32 | ~string }](s []T) []T {
	slices.Sort(s)
	return slices.Compact(s)
}

// addressChurnOf returns the person clusters (roots of uf) whose records give
// churnAddresses or more distinct addresses.
func addressChurnOf(fs []features, uf *unionFind) map[int32]bool {
	addrs := make(map[int32][]string)
	for i := range fs {
		if len(fs[i].address) > 0 {
			r := uf.find(int32(i))
			addrs[r] = append(addrs[r], fs[i].address...)
		}
	}
	churn := make(map[int32]bool)
	for r, a := range addrs {
		if len(a) >= churnAddresses && len(sortedUnique(a)) >= churnAddresses {
			churn[r] = true
		}
	}
	return churn
}
