package engine

import (
	"context"
	"fmt"

	"github.com/personagraph/personagraph/graph"
)

// Forget erases records from the store (graph.Store.Forget: data, postings, search
// document, memberships, with an audit entry) and re-clusters, so that no cluster still
// names them or the values they held. reason goes into the audit trail and must not hold
// personal data. It takes the writer's turn, like Ingest.
func (e *Engine) Forget(ctx context.Context, ids []string, reason string) (*graph.ForgetResult, error) {
	defer e.settleAfterRun(ctx) // after the unlock below
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	res, err := e.store.Forget(ctx, ids, reason)
	if err != nil {
		return res, fmt.Errorf("engine: forget: %w", err)
	}
	if len(res.Forgotten) == 0 {
		return res, nil
	}
	// The store marked clusters stale; a failed re-cluster is retried by EnsureClustered.
	if err := e.reclusterLocked(ctx); err != nil {
		return res, fmt.Errorf("engine: re-cluster after forget: %w", err)
	}
	return res, nil
}
