package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/testgraph"
	"gonum.org/v1/gonum/graph/topo"

	"github.com/personagraph/personagraph/ingest"
)

// viewFixture: r1 and r2 share device D1, r2 and r3 share a payout, r4 and r5 share a
// device D2, r6 shares nothing; r1 also holds a value of its own (an e-mail) and r3 and
// r4 share a name only, which the view leaves out.
var viewFixture = []string{
	`{"record_id":"r1","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ann Lee","devices":[{"fingerprint":"D1"}],"emails":["ann@example.com"]}`,
	`{"record_id":"r2","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Bo Chan","devices":[{"fingerprint":"D1"}],"payments":[{"kind":"payoneer","value":"P-7"}]}`,
	`{"record_id":"r3","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Cy Dee","payments":[{"kind":"payoneer","value":"P-7"}]}`,
	`{"record_id":"r4","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Cy Dee","devices":[{"fingerprint":"D2"}]}`,
	`{"record_id":"r5","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Di Eng","devices":[{"fingerprint":"D2"}]}`,
	`{"record_id":"r6","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Ed Fox","emails":["ed@example.com"]}`,
	`{"record_id":"out","source":"s","observed_at":"2026-01-01T00:00:00Z","name":"Flo Gee","devices":[{"fingerprint":"D1"}]}`,
}

func viewStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var puts []Put
	for _, l := range viewFixture {
		puts = append(puts, mustParse(t, l))
	}
	if _, err := s.PutBatch(context.Background(), puts); err != nil {
		t.Fatal(err)
	}
	return s
}

// label names a view node for comparisons: the record id, or kind:value.
func label(n gonum.Node) string {
	switch n := n.(type) {
	case *RecordNode:
		return n.RecordID
	case *ValueNode:
		return string(n.Kind) + ":" + n.Value
	}
	return fmt.Sprint(n.ID())
}

func TestViewConnectedComponentsAndPaths(t *testing.T) {
	ctx := context.Background()
	s := viewStore(t)
	// "out" holds D1 too but is not in the view: D1 stays a value of r1 and r2 only.
	v, err := s.NewView(ctx, []string{"r1", "r2", "r3", "r4", "r5", "r6", "r1"})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, cc := range topo.ConnectedComponents(v) {
		var ls []string
		for _, n := range cc {
			ls = append(ls, label(n))
		}
		slices.Sort(ls)
		got = append(got, ls)
	}
	slices.SortFunc(got, slices.Compare)
	want := [][]string{
		{"device:d1", "payment:payoneer:p-7", "r1", "r2", "r3"},
		{"device:d2", "r4", "r5"},
		{"r6"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("components %q, want %q", got, want)
	}

	sp := path.DijkstraFrom(v.Node(RecordNodeID("r1")), v)
	p, w := sp.To(RecordNodeID("r3"))
	var route []string
	for _, n := range p {
		route = append(route, label(n))
	}
	if wantRoute := []string{"r1", "device:d1", "r2", "payment:payoneer:p-7", "r3"}; !slices.Equal(route, wantRoute) || w != 4 {
		t.Fatalf("r1 to r3: %q weight %v, want %q weight 4", route, w, wantRoute)
	}
	if p, _ := sp.To(RecordNodeID("r4")); p != nil {
		t.Fatalf("r1 reaches r4 through %d nodes; they share nothing", len(p))
	}

	out, err := v.Outside(ctx, v.Node(ValueNodeID("device", "d1")).(*ValueNode))
	if err != nil || out != 1 {
		t.Fatalf("holders of d1 outside the view: %d, %v; want 1 (record out)", out, err)
	}
}

func TestViewEdgesAndIDs(t *testing.T) {
	s := viewStore(t)
	v, err := s.NewView(context.Background(), []string{"r1", "r2", "r6"})
	if err != nil {
		t.Fatal(err)
	}
	r1, r2, d1 := RecordNodeID("r1"), RecordNodeID("r2"), ValueNodeID(ingest.KindDevice, "d1")
	if r1&1 != 0 || d1&1 != 1 || r1 < 0 || d1 < 0 {
		t.Fatalf("ids %d, %d: records even, values odd, both non-negative", r1, d1)
	}
	for _, c := range []struct {
		x, y int64
		want bool
	}{
		{r1, d1, true}, {d1, r2, true}, {r1, r2, false}, {r1, r1, false},
		{RecordNodeID("r6"), d1, false},
		{r1, ValueNodeID(ingest.KindEmail, "ann@example.com"), false}, // held by r1 alone: not a node
		{r1, RecordNodeID("r3"), false},                               // not in the view
	} {
		if got := v.HasEdgeBetween(c.x, c.y); got != c.want {
			t.Errorf("HasEdgeBetween(%d, %d) = %v, want %v", c.x, c.y, got, c.want)
		}
		if e := v.EdgeBetween(c.x, c.y); (e != nil) != c.want || (e != nil && (e.From().ID() != c.x || e.To().ID() != c.y)) {
			t.Errorf("EdgeBetween(%d, %d) = %v", c.x, c.y, e)
		}
	}
	if n := v.Nodes().Len(); n != 4 {
		t.Fatalf("%d nodes, want 3 records and d1", n)
	}
	if got := gonum.NodesOf(v.From(d1)); len(got) != 2 || label(got[0]) != "r1" || label(got[1]) != "r2" {
		t.Fatalf("neighbours of d1: %v", got)
	}
	if v.Node(RecordNodeID("r3")) != nil {
		t.Fatal("a record outside the view is a node of it")
	}
	if _, err := s.NewView(context.Background(), []string{"r1", "nope"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown record: %v, want ErrNotFound", err)
	}
}

// TestViewGonumContract runs gonum's graph contract tests on a View. The builder ignores
// the suite's generated graphs (a View is made from stored records, not from arbitrary
// nodes and edges) and returns the fixture's view with its nodes and edges each time, so
// the suite checks the View's iterators, Node, From, EdgeBetween and edge ends against
// what the view says it holds.
func TestViewGonumContract(t *testing.T) {
	s := viewStore(t)
	v, err := s.NewView(context.Background(), []string{"r1", "r2", "r3", "r4", "r5", "r6"})
	if err != nil {
		t.Fatal(err)
	}
	nodes := gonum.NodesOf(v.Nodes())
	var edges []testgraph.Edge
	for _, vn := range v.Values() {
		for _, r := range gonum.NodesOf(v.From(vn.ID())) {
			edges = append(edges, v.EdgeBetween(r.ID(), vn.ID()))
		}
	}
	if len(nodes) != 9 || len(edges) != 6 {
		t.Fatalf("fixture view: %d nodes, %d edges; want 6 records + 3 values, 6 edges", len(nodes), len(edges))
	}
	b := func(_ []gonum.Node, _ []testgraph.WeightedLine, _, _ float64) (gonum.Graph, []gonum.Node, []testgraph.Edge, float64, float64, bool) {
		return v, nodes, edges, 0, 0, true
	}
	t.Run("ReturnAllNodes", func(t *testing.T) { testgraph.ReturnAllNodes(t, b, true) })
	t.Run("NodeExistence", func(t *testing.T) { testgraph.NodeExistence(t, b) })
	t.Run("ReturnAllEdges", func(t *testing.T) { testgraph.ReturnAllEdges(t, b, true) })
	t.Run("EdgeExistence", func(t *testing.T) { testgraph.EdgeExistence(t, b, true) })
	t.Run("ReturnAdjacentNodes", func(t *testing.T) { testgraph.ReturnAdjacentNodes(t, b, true, true) })
}
