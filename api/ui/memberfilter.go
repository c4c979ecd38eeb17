package ui

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"encoding/json"
	"github.com/personagraph/personagraph/graph"
)

// memberFilter keeps clusters with at least one member from a source, observed within
// [since, until]. Cluster summaries hold neither, so it reads members' records: the queue
// applies it only when asked, and stops at the first matching member of each cluster.
type memberFilter struct {
	source       string
	since, until time.Time // zero: unbounded
}

func newMemberFilter(source, since, until string) (memberFilter, error) {
	mf := memberFilter{source: source}
	var err error
	if since != "" {
		if mf.since, err = time.Parse(time.DateOnly, since); err != nil {
			return mf, fmt.Errorf("%w: since: want a date, 2026-01-31", errBadInput)
		}
	}
	if until != "" {
		if mf.until, err = time.Parse(time.DateOnly, until); err != nil {
			return mf, fmt.Errorf("%w: until: want a date, 2026-01-31", errBadInput)
		}
		mf.until = mf.until.Add(24*time.Hour - time.Nanosecond) // the whole day
	}
	return mf, nil
}

func (mf memberFilter) keeps(rec *graph.StoredRecord) bool {
	at := rec.ObservedAt
	if (!mf.since.IsZero() && at.Before(mf.since)) || (!mf.until.IsZero() && at.After(mf.until)) {
		return false
	}
	if mf.source == "" {
		return true
	}
	var src struct {
		Source string `json:"source"`
	}
	_ = json.Unmarshal(rec.JSON, &src) // stored JSON passed ingest once
	return src.Source == mf.source
}

// filterMembers keeps the clusters with a member the filter keeps.
func (h *Handler) filterMembers(r *http.Request, cs []*graph.Cluster, mf memberFilter) ([]*graph.Cluster, error) {
	out := cs[:0:0]
	for _, c := range cs {
		for _, id := range c.Records {
			rec, err := h.eng.Record(r.Context(), id)
			if errors.Is(err, graph.ErrNotFound) {
				continue // forgotten since the cluster was written
			}
			if err != nil {
				return nil, err
			}
			if mf.keeps(rec) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}
