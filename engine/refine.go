package engine

import (
	"cmp"
	"slices"
)

// Refinement of the operator layer. Union-find accepts every link as it comes, so one
// weak link between two tight groups (two operators' personas sharing a ring collector's
// account, a VPN exit and a CV playbook) chains them into one cluster: the transitive
// closure cannot tell a group from a chain. The refinement pass looks at the links
// themselves, weighted, and splits such chains:
//
//  1. the links between person clusters become a compact CSR adjacency (int32 offsets
//     and targets, float32 weights), nodes in ascending person order;
//  2. weighted label propagation over the whole graph finds tight groups: each node
//     takes the label of the most weight among its neighbours, the smallest label on a
//     tie, nodes visited in ascending order, so the result depends only on the graph;
//  3. label propagation alone would also cut paths and stars (a persona linked to two
//     others by one device each), which are legitimate operator shapes, so its groups
//     are merged back wherever they hold together by more than one weak edge: two or
//     more edges, an edge of at least weakEdge (one strong identifier's worth), or a
//     side of fewer than minRefinePart person clusters, or a side whose own links weigh
//     no more than the edge to the other side (it is no tighter than the chain).
//
// What stays apart is exactly a chain held by one weak edge between two groups that are
// each tighter than that edge. Label propagation visits every edge a bounded number of
// times (maxPropagation rounds), and each merge-back round is one pass over the edges, so
// the pass is linear in the links; it touches only person clusters that an operator link
// reaches, a small share of all records.
//
// Leiden would find the same groups with guarantees label propagation lacks, but the
// merge-back step decides what is split, and it needs groups, not optimal ones; gonum's
// Louvain is far too slow over a million records and would be run per cluster anyway.
const (
	// weakEdge is the weight below which a single link may be cut: less than one strong
	// identifier (a device, a payout account, an e-mail, a photo) held by two personas
	// alone, e.g. an exit IP beside similar CVs, or a value shared by three or more
	// personas (its weight is split among its holders' pairs).
	weakEdge = 1.0
	// minRefinePart is the fewest person clusters either side of a cut must have: one
	// persona linked by one weak edge is a weak link, not a chain of groups.
	minRefinePart = 2
	// maxPropagation bounds the label propagation rounds; it settles in a few.
	maxPropagation = 20
)

// opEdge is a link between two person clusters (their union-find roots) and the weight
// of the evidence behind it.
type opEdge struct {
	a, b int32
	w    float32
}

// opEdges collects the operator layer's links as linkOperators unions them.
type opEdges []opEdge

// add records a link between person clusters a and b (a != b).
func (es *opEdges) add(a, b int32, w float64) {
	if es == nil || a == b {
		return
	}
	if a > b {
		a, b = b, a
	}
	*es = append(*es, opEdge{a, b, float32(w)})
}

// addValue records the links a shared value makes between its holders (ascending, at
// least two): a clique whose edges share the value's weight, since a value held by many
// says less about any one pair of them than one held by two; a star from the first
// holder above maxPairHolders holders (only an analyst's confirmed-farm label makes such
// a value link), so the edges stay bounded. A value an analyst confirmed (firm) links
// its holders whatever the refinement finds: its edges are never weak.
func (es *opEdges) addValue(holders []int32, w float64, firm bool) {
	if es == nil || len(holders) < 2 {
		return
	}
	per := w / float64(len(holders)-1)
	if firm {
		per = max(w, weakEdge)
	}
	if len(holders) > maxPairHolders {
		for _, h := range holders[1:] {
			es.add(holders[0], h, per)
		}
		return
	}
	for i, a := range holders {
		for _, b := range holders[i+1:] {
			es.add(a, b, per)
		}
	}
}

// csrGraph is an undirected weighted graph in compressed sparse rows: node v's
// neighbours are targets[offsets[v]:offsets[v+1]], ascending, with their edge weights in
// weights alongside. nodes maps a node back to its person cluster.
type csrGraph struct {
	nodes   []int32
	offsets []int32
	targets []int32
	weights []float32
}

// newCSR builds the graph of edges: nodes are the person clusters the edges touch, in
// ascending order; parallel edges are one edge with their weights summed.
func newCSR(edges []opEdge) *csrGraph {
	g := &csrGraph{}
	for _, e := range edges {
		g.nodes = append(g.nodes, e.a, e.b)
	}
	slices.Sort(g.nodes)
	g.nodes = slices.Compact(g.nodes)
	node := func(p int32) int32 {
		i, _ := slices.BinarySearch(g.nodes, p)
		return int32(i)
	}
	// Both directions of every edge, sorted by (from, to) so parallel edges sit together.
	half := make([]opEdge, 0, 2*len(edges))
	for _, e := range edges {
		a, b := node(e.a), node(e.b)
		half = append(half, opEdge{a, b, e.w}, opEdge{b, a, e.w})
	}
	slices.SortFunc(half, func(x, y opEdge) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	g.offsets = make([]int32, len(g.nodes)+1)
	for i := 0; i < len(half); {
		j := i
		var w float32
		for ; j < len(half) && half[j].a == half[i].a && half[j].b == half[i].b; j++ {
			w += half[j].w
		}
		g.targets = append(g.targets, half[i].b)
		g.weights = append(g.weights, w)
		g.offsets[half[i].a+1]++
		i = j
	}
	for v := range g.nodes {
		g.offsets[v+1] += g.offsets[v]
	}
	return g
}

// propagate runs weighted label propagation and returns each node's label. Nodes are
// visited in ascending order and updated in place; a node takes the label its neighbours'
// edges weigh most for, the smallest such label on a tie.
func (g *csrGraph) propagate() []int32 {
	label := make([]int32, len(g.nodes))
	for v := range label {
		label[v] = int32(v)
	}
	type lw struct {
		l int32
		w float32
	}
	var scratch []lw
	for range maxPropagation {
		changed := false
		for v := range g.nodes {
			lo, hi := g.offsets[v], g.offsets[v+1]
			scratch = scratch[:0]
			for e := lo; e < hi; e++ {
				scratch = append(scratch, lw{label[g.targets[e]], g.weights[e]})
			}
			if len(scratch) == 0 {
				continue
			}
			// Stable, so equal labels' weights are summed in neighbour order: the float
			// sums, and with them the choice, do not depend on anything else.
			slices.SortStableFunc(scratch, func(x, y lw) int { return cmp.Compare(x.l, y.l) })
			best, bestW := int32(-1), float32(-1)
			for i := 0; i < len(scratch); {
				l, w := scratch[i].l, float32(0)
				for ; i < len(scratch) && scratch[i].l == l; i++ {
					w += scratch[i].w
				}
				if w > bestW {
					best, bestW = l, w
				}
			}
			if best != label[v] {
				label[v] = best
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return label
}

// groups returns the union-find over nodes whose sets are the refined groups: label
// propagation's groups, merged back wherever they hold together by more than one weak
// edge (see the comment at the top of this file).
func (g *csrGraph) groups() *unionFind {
	label := g.propagate()
	parts := newUnionFind(len(g.nodes))
	g.eachEdge(func(v, u int32, _ float32) {
		if label[v] == label[u] {
			parts.union(v, u)
		}
	})
	type link struct {
		n int
		w float32
	}
	size := make([]int32, len(g.nodes))
	inner := make([]float32, len(g.nodes))
	for {
		clear(size)
		clear(inner)
		for v := range g.nodes {
			size[parts.find(int32(v))]++
		}
		between := make(map[uint64]*link)
		g.eachEdge(func(v, u int32, w float32) {
			pv, pu := parts.find(v), parts.find(u)
			if pv == pu {
				inner[pv] += w
				return
			}
			if pv > pu {
				pv, pu = pu, pv
			}
			k := uint64(pv)<<32 | uint64(pu)
			l := between[k]
			if l == nil {
				l = &link{}
				between[k] = l
			}
			l.n++
			l.w += w
		})
		keys := make([]uint64, 0, len(between))
		for k := range between {
			keys = append(keys, k)
		}
		slices.Sort(keys) // map order must not decide anything
		merged := false
		for _, k := range keys {
			l := between[k]
			a, b := int32(k>>32), int32(k&0xffffffff)
			chain := l.n == 1 && l.w < weakEdge &&
				size[a] >= minRefinePart && size[b] >= minRefinePart &&
				inner[a] > l.w && inner[b] > l.w
			if !chain && parts.union(a, b) {
				merged = true
			}
		}
		if !merged {
			return parts
		}
	}
}

// eachEdge calls f once per undirected edge, with v < u.
func (g *csrGraph) eachEdge(f func(v, u int32, w float32)) {
	for v := range g.nodes {
		for e := g.offsets[v]; e < g.offsets[v+1]; e++ {
			if u := g.targets[e]; int32(v) < u {
				f(int32(v), u, g.weights[e])
			}
		}
	}
}

// refineOperators returns the operator partition: the person clusters of personUF joined
// by the links edges, except where the refinement cuts a chain held by one weak edge;
// cut is the number of links it cut.
func refineOperators(personUF *unionFind, edges []opEdge) (ops *unionFind, cut int) {
	ops = personUF.clone()
	if len(edges) == 0 {
		return ops, 0
	}
	g := newCSR(edges)
	parts := g.groups()
	g.eachEdge(func(v, u int32, _ float32) {
		if parts.find(v) == parts.find(u) {
			ops.union(g.nodes[v], g.nodes[u])
		} else {
			cut++
		}
	})
	return ops, cut
}
