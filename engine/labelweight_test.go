package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// An analyst's label on a value changes how linkage weighs it: a laptop shared by two
// flatmates who show no risk signal is a household's until confirmed as a farm's, and a
// benign-hub label undoes that again; a record arriving later is linked by the label too.
func TestValueLabelsChangeLinkage(t *testing.T) {
	ctx := context.Background()
	lines := []string{
		`{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Alan Price","addresses":[{"text":"4 Elm Road, York YO1 7HZ","country":"GB"}],"devices":[{"fingerprint":"fp-lab"}]}`,
		`{"record_id":"b","source":"s","observed_at":"2026-01-02T00:00:00Z","name":"Brian Okafor","addresses":[{"text":"4 Elm Road, York YO1 7HZ","country":"GB"}],"devices":[{"fingerprint":"fp-lab"}]}`,
		`{"record_id":"c","source":"s","observed_at":"2026-01-03T00:00:00Z","name":"Chen Wei","devices":[{"fingerprint":"fp-lab"}]}`,
	}
	e := newEngine(t, 1000)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines[:2], "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	together := func(a, b string) bool {
		t.Helper()
		ra, err := e.Record(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := e.Record(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		return ra.Clusters[graph.Operator] == rb.Clusters[graph.Operator]
	}
	label := func(l string) {
		t.Helper()
		if err := e.Label(ctx, &graph.Label{Kind: "device", Value: "fp-lab", Label: l, By: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if together("a", "b") {
		t.Fatal("two applicants without risk signals linked by one laptop")
	}
	label(LabelConfirmedFarm)
	if !together("a", "b") {
		t.Fatal("a laptop confirmed as a farm's does not link its holders")
	}
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(lines[2]), 0), &IngestOptions{Link: true}); err != nil {
		t.Fatal(err)
	}
	if e.linked != 1 || !together("a", "c") {
		t.Fatalf("a new holder of the farm's laptop not linked incrementally (linked %d)", e.linked)
	}
	label(LabelBenignHub)
	if together("a", "b") || together("a", "c") {
		t.Fatal("a laptop labelled a benign hub still links its holders")
	}
}
