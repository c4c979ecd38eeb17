package engine

import (
	"cmp"
	"context"
	"slices"
	"strings"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/traverse"

	"github.com/personagraph/personagraph/graph"
)

// Bridge is a shared value whose removal splits a cluster's evidence graph: "what would
// split this cluster". Parts are the record ids of each piece the connected group of
// records holding the value falls into without it, each sorted, the largest piece first.
type Bridge struct {
	Kind  string     `json:"kind"`
	Value string     `json:"value"`
	Parts [][]string `json:"parts"`
}

// Bridges returns the bridging values of a cluster (either level): the shared
// identifier values that are articulation points of the cluster's bipartite evidence
// graph (graph.View: records and the values two or more of them hold). Removing one
// splits the records it connects into two or more parts. The most balanced splits come
// first, since they are the ones an analyst most needs to check; then by kind and value.
//
// The evidence graph holds shared identifiers only. Records an operator cluster joins by
// similarity alone (near names, CV text, photo hashes a few bits apart) are in no part of
// a bridge unless a shared value also reaches them, and such a cluster can be
// disconnected in the view already; each connected piece is analysed on its own.
func (e *Engine) Bridges(ctx context.Context, clusterID string) ([]Bridge, error) {
	c, err := e.Cluster(ctx, clusterID)
	if err != nil {
		return nil, err
	}
	v, err := e.store.NewView(ctx, c.Records)
	if err != nil {
		return nil, err
	}
	return bridgesOf(ctx, v)
}

// bridgesOf finds the bridging values of a view.
func bridgesOf(ctx context.Context, v *graph.View) ([]Bridge, error) {
	var out []Bridge
	for _, cut := range articulationPoints(v) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		vn, ok := cut.(*graph.ValueNode)
		if !ok {
			continue // a record that holds the cluster together is not a shared value
		}
		b := Bridge{Kind: string(vn.Kind), Value: vn.Value}
		seen := map[int64]bool{cut.ID(): true}
		for nb := range nodes(v.From(cut.ID())) {
			if seen[nb.ID()] {
				continue
			}
			var part []string
			bf := traverse.BreadthFirst{
				// Walk around the cut value, never through it.
				Traverse: func(e gonum.Edge) bool { return e.To().ID() != cut.ID() && e.From().ID() != cut.ID() },
				Visit: func(n gonum.Node) {
					seen[n.ID()] = true
					if r, ok := n.(*graph.RecordNode); ok {
						part = append(part, r.RecordID)
					}
				},
			}
			bf.Walk(v, nb, nil)
			slices.Sort(part)
			b.Parts = append(b.Parts, part)
		}
		slices.SortFunc(b.Parts, func(x, y []string) int {
			return cmp.Or(cmp.Compare(len(y), len(x)), strings.Compare(x[0], y[0]))
		})
		out = append(out, b)
	}
	slices.SortFunc(out, func(x, y Bridge) int {
		return cmp.Or(cmp.Compare(second(y.Parts), second(x.Parts)),
			strings.Compare(x.Kind, y.Kind), strings.Compare(x.Value, y.Value))
	})
	return out, nil
}

// second is the size of the second-largest part: how balanced a split is.
func second(parts [][]string) int {
	if len(parts) < 2 {
		return 0
	}
	return len(parts[1])
}

// nodes ranges over a gonum node iterator.
func nodes(it gonum.Nodes) func(func(gonum.Node) bool) {
	return func(yield func(gonum.Node) bool) {
		for it.Next() {
			if !yield(it.Node()) {
				return
			}
		}
	}
}

// articulationPoints returns the cut vertices of an undirected graph, in the order
// Tarjan's depth-first search finishes them (deterministic for a graph whose iterators
// are). gonum has no articulation-point routine (it has TarjanSCC for directed graphs),
// so this is the textbook low-link method, with an explicit stack: a cluster's evidence
// graph can be a long chain, deep enough to make recursion costly.
func articulationPoints(g gonum.Undirected) []gonum.Node {
	disc := make(map[int64]int)
	low := make(map[int64]int)
	isCut := make(map[int64]bool)
	var cuts []gonum.Node
	type frame struct {
		n        gonum.Node
		parent   int64
		next     []gonum.Node
		children int
	}
	t := 0
	for root := range nodes(g.Nodes()) {
		if _, ok := disc[root.ID()]; ok {
			continue
		}
		t++
		disc[root.ID()], low[root.ID()] = t, t
		stack := []*frame{{n: root, parent: -1, next: gonum.NodesOf(g.From(root.ID()))}}
		for len(stack) > 0 {
			f := stack[len(stack)-1]
			if len(f.next) > 0 {
				w := f.next[0]
				f.next = f.next[1:]
				wid := w.ID()
				if d, ok := disc[wid]; ok {
					if wid != f.parent {
						low[f.n.ID()] = min(low[f.n.ID()], d)
					}
					continue
				}
				t++
				disc[wid], low[wid] = t, t
				f.children++
				stack = append(stack, &frame{n: w, parent: f.n.ID(), next: gonum.NodesOf(g.From(wid))})
				continue
			}
			// f is finished: report it to its parent.
			stack = stack[:len(stack)-1]
			id := f.n.ID()
			if len(stack) == 0 {
				if f.children > 1 && !isCut[id] {
					isCut[id] = true
					cuts = append(cuts, f.n)
				}
				continue
			}
			p := stack[len(stack)-1]
			pid := p.n.ID()
			low[pid] = min(low[pid], low[id])
			if len(stack) > 1 && low[id] >= disc[pid] && !isCut[pid] {
				isCut[pid] = true
				cuts = append(cuts, p.n)
			}
		}
	}
	return cuts
}
