package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

func TestLabels(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, 0)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(fixtures.Sample), 0), nil); err != nil {
		t.Fatal(err)
	}
	rec, err := e.Record(ctx, fixtures.SampleRing()[0])
	if err != nil {
		t.Fatal(err)
	}
	cluster := rec.Clusters[graph.Operator]
	var phone string
	for _, id := range rec.Identifiers {
		if id.Kind == ingest.KindPhone {
			phone = id.Value
		}
	}
	for _, tc := range []struct {
		name string
		l    graph.Label
		want error // nil: stored
	}{
		{"ring", graph.Label{ClusterID: cluster, Label: LabelConfirmedRing, By: "ann"}, nil},
		{"hub", graph.Label{Kind: "phone", Value: phone, Label: LabelBenignHub, By: "ann"}, nil},
		{"farm later", graph.Label{Kind: "phone", Value: phone, Label: LabelConfirmedFarm, By: "bob"}, nil},
		{"value label on cluster", graph.Label{ClusterID: cluster, Label: LabelBenignHub, By: "ann"}, ErrBadLabel},
		{"cluster label on value", graph.Label{Kind: "phone", Value: phone, Label: LabelDismissed, By: "ann"}, ErrBadLabel},
		{"nobody", graph.Label{ClusterID: cluster, Label: LabelDismissed}, ErrBadLabel},
		{"long note", graph.Label{ClusterID: cluster, Label: LabelDismissed, By: "ann", Note: strings.Repeat("x", maxNoteLen+1)}, ErrBadLabel},
		{"no such cluster", graph.Label{ClusterID: "o-000000000000", Label: LabelDismissed, By: "ann"}, graph.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.l
			if err := e.Label(ctx, &l); !errors.Is(err, tc.want) && (tc.want != nil || err != nil) {
				t.Fatalf("Label: %v, want %v", err, tc.want)
			}
		})
	}
	if got, err := e.ValueLabel(ctx, ingest.KindPhone, phone); err != nil || got != LabelConfirmedFarm {
		t.Fatalf("ValueLabel = %q, %v; want the later label", got, err)
	}
	if got, err := e.ValueLabel(ctx, ingest.KindPhone, "+440000"); err != nil || got != "" {
		t.Fatalf("unlabelled ValueLabel = %q, %v", got, err)
	}
	all, err := e.ValueLabels(ctx)
	if err != nil || len(all) != 1 || all["phone:"+phone] != LabelConfirmedFarm {
		t.Fatalf("ValueLabels = %v, %v", all, err)
	}
	if l, err := e.ClusterLabel(ctx, cluster); err != nil || l == nil || l.Label != LabelConfirmedRing {
		t.Fatalf("ClusterLabel = %+v, %v", l, err)
	}
}
