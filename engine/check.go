package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// CheckResult answers "is this applicant one of a ring?" for one record.
type CheckResult struct {
	RecordID        string   `json:"record_id"`
	Result          string   `json:"result"` // new, updated or unchanged
	PersonCluster   string   `json:"person_cluster"`
	OperatorCluster string   `json:"operator_cluster"`
	OperatorSize    int      `json:"operator_size"`
	Risk            float64  `json:"risk"`
	Flags           []string `json:"flags"`
}

// Check stores one record, links it into the stored clusters (IngestOptions.Link; a
// full run when they were stale) and returns its clusters with the operator cluster's
// risk and flags: POST /v1/check and `personagraph check`. The Summary says what was
// stored, also when the lookup after it fails.
func (e *Engine) Check(ctx context.Context, rec *ingest.Record) (*CheckResult, Summary, error) {
	sum, err := e.Ingest(ctx, &oneRecord{rec: rec}, &IngestOptions{Link: true})
	if err != nil {
		return nil, sum, err
	}
	stored, err := e.Record(ctx, rec.RecordID)
	if err != nil {
		return nil, sum, err
	}
	res := &CheckResult{RecordID: rec.RecordID, Result: "unchanged", Flags: []string{},
		PersonCluster: stored.Clusters[graph.Person], OperatorCluster: stored.Clusters[graph.Operator]}
	switch {
	case sum.New > 0:
		res.Result = "new"
	case sum.Updated > 0:
		res.Result = "updated"
	}
	if res.OperatorCluster != "" {
		c, err := e.Cluster(ctx, res.OperatorCluster)
		if err != nil {
			return nil, sum, fmt.Errorf("engine: check %q: %w", rec.RecordID, err)
		}
		res.OperatorSize, res.Risk = c.Size, c.Risk
		if c.Flags != nil {
			res.Flags = c.Flags
		}
	}
	return res, sum, nil
}

// oneRecord is a Source of a single parsed record.
type oneRecord struct {
	rec  *ingest.Record
	done bool
}

func (o *oneRecord) Next() (*ingest.Record, error) {
	if o.done {
		return nil, io.EOF
	}
	o.done = true
	return o.rec, nil
}
