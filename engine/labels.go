package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Analyst labels. Value labels say what a shared value is; cluster labels say what the
// analyst concluded about a cluster.
const (
	// LabelBenignHub marks a value many unrelated people share for innocent reasons (a
	// co-working space, an agency's payout account, a carrier NAT address).
	LabelBenignHub = "benign_hub"
	// LabelConfirmedFarm marks a value confirmed as an operator's infrastructure (a
	// laptop farm's address or device).
	LabelConfirmedFarm = "confirmed_farm"
	// LabelConfirmedRing marks a cluster confirmed as one operator's personas.
	LabelConfirmedRing = "confirmed_ring"
	// LabelDismissed marks a cluster the analyst found innocent.
	LabelDismissed = "dismissed"
)

// ErrBadLabel is returned by Label for a label name that does not fit its target, or a
// target that is not one value or one cluster.
var ErrBadLabel = errors.New("engine: bad label")

// maxNoteLen bounds a label's note, in bytes: notes are free text for a colleague, not a
// document store.
const maxNoteLen = 2000

// Label stores an analyst label after checking it: a value label needs kind and value
// and one of benign_hub or confirmed_farm; a cluster label needs an existing cluster and
// one of confirmed_ring or dismissed. The audit entry names the records concerned (the
// value's holders or the cluster's members) by hash.
func (e *Engine) Label(ctx context.Context, l *graph.Label) error {
	if len(l.Note) > maxNoteLen {
		return fmt.Errorf("%w: note longer than %d bytes", ErrBadLabel, maxNoteLen)
	}
	if strings.TrimSpace(l.By) == "" {
		return fmt.Errorf("%w: who labels is required", ErrBadLabel)
	}
	var records []string
	switch {
	case l.ClusterID != "" && l.Kind == "" && l.Value == "":
		if l.Label != LabelConfirmedRing && l.Label != LabelDismissed {
			return fmt.Errorf("%w: a cluster label is %s or %s, not %q", ErrBadLabel, LabelConfirmedRing, LabelDismissed, l.Label)
		}
		c, err := e.Cluster(ctx, l.ClusterID)
		if err != nil {
			return err
		}
		records = c.Records
	case l.ClusterID == "" && l.Kind != "" && l.Value != "":
		if l.Label != LabelBenignHub && l.Label != LabelConfirmedFarm {
			return fmt.Errorf("%w: a value label is %s or %s, not %q", ErrBadLabel, LabelBenignHub, LabelConfirmedFarm, l.Label)
		}
		h, err := e.store.Holders(ctx, ingest.Kind(l.Kind), l.Value)
		if err != nil {
			return err
		}
		records = h
	default:
		return fmt.Errorf("%w: give kind and value, or cluster_id", ErrBadLabel)
	}
	if err := e.store.PutLabel(ctx, l, records); err != nil {
		return err
	}
	if l.OnValue() && len(records) >= 2 {
		// A value label changes the value's weight in linkage (applyLabel): the clusters
		// it touches are computed again on the next read.
		return e.store.MarkStale(ctx)
	}
	return nil
}

// Labels lists stored labels, each target's history oldest first.
func (e *Engine) Labels(ctx context.Context, q graph.LabelQuery) ([]*graph.Label, error) {
	var out []*graph.Label
	err := e.store.ForEachLabel(ctx, q, func(l *graph.Label) error {
		out = append(out, l)
		return nil
	})
	return out, err
}

// ValueLabel is the label in force on an identifier value: "" when it has none. Linkage
// reads them all at once (ValueLabels) and weighs labelled values by them (applyLabel).
func (e *Engine) ValueLabel(ctx context.Context, kind ingest.Kind, value string) (string, error) {
	l, err := e.store.LatestLabel(ctx, kind, value, "")
	if errors.Is(err, graph.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return l.Label, nil
}

// ClusterLabel is the label in force on a cluster; nil when it has none.
func (e *Engine) ClusterLabel(ctx context.Context, clusterID string) (*graph.Label, error) {
	l, err := e.store.LatestLabel(ctx, "", "", clusterID)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, nil
	}
	return l, err
}

// ValueLabels returns the label in force on every labelled value, keyed by kind and
// value (ingest.Identifier.Key form, "kind:value"). A clustering run should read it once
// and consult the map per shared value, rather than call ValueLabel per value.
func (e *Engine) ValueLabels(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	// Each value's history comes oldest first, so the last one written wins.
	err := e.store.ForEachLabel(ctx, graph.LabelQuery{OnlyValues: true}, func(l *graph.Label) error {
		out[l.Kind+":"+l.Value] = l.Label
		return nil
	})
	return out, err
}
