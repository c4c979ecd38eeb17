package engine

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// clique returns the edges of a clique over nodes, each of weight w.
func clique(w float64, nodes ...int32) []opEdge {
	var es opEdges
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			es.add(a, b, w)
		}
	}
	return es
}

// refined returns the refined sets over n person clusters (each its own person
// cluster), as sorted member lists ordered by their smallest member.
func refined(n int, edges []opEdge) [][]int32 {
	ops, _ := refineOperators(newUnionFind(n), edges)
	return groupMembers(ops)
}

func TestRefineOperators(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges []opEdge
		want  [][]int32
	}{
		{
			name:  "two dense groups chained by one weak edge split",
			n:     8,
			edges: slices.Concat(clique(1, 0, 1, 2, 3), clique(1, 4, 5, 6, 7), []opEdge{{3, 4, 0.9}}),
			want:  [][]int32{{0, 1, 2, 3}, {4, 5, 6, 7}},
		},
		{
			name:  "groups of two chained by one weak edge split",
			n:     4,
			edges: []opEdge{{0, 1, 1}, {2, 3, 1}, {1, 2, 0.5}},
			want:  [][]int32{{0, 1}, {2, 3}},
		},
		{
			name:  "a dense group is not split",
			n:     6,
			edges: clique(0.9, 0, 1, 2, 3, 4, 5),
			want:  [][]int32{{0, 1, 2, 3, 4, 5}},
		},
		{
			name:  "two groups held by two weak edges stay one",
			n:     8,
			edges: slices.Concat(clique(1, 0, 1, 2, 3), clique(1, 4, 5, 6, 7), []opEdge{{3, 4, 0.9}, {2, 5, 0.9}}),
			want:  [][]int32{{0, 1, 2, 3, 4, 5, 6, 7}},
		},
		{
			name:  "two groups held by one strong edge stay one",
			n:     8,
			edges: slices.Concat(clique(1, 0, 1, 2, 3), clique(1, 4, 5, 6, 7), []opEdge{{3, 4, 1}}),
			want:  [][]int32{{0, 1, 2, 3, 4, 5, 6, 7}},
		},
		{
			name:  "one persona weakly linked to a group stays",
			n:     5,
			edges: slices.Concat(clique(1, 0, 1, 2, 3), []opEdge{{3, 4, 0.8}}),
			want:  [][]int32{{0, 1, 2, 3, 4}},
		},
		{
			// A rotation chain: each persona shares the device of the one before.
			name:  "a path of strong links is not split",
			n:     6,
			edges: []opEdge{{0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {3, 4, 1}, {4, 5, 1}},
			want:  [][]int32{{0, 1, 2, 3, 4, 5}},
		},
		{
			// Halves no tighter than the link between them are not groups.
			name:  "a path of weak links is not split",
			n:     4,
			edges: []opEdge{{0, 1, 0.9}, {1, 2, 0.9}, {2, 3, 0.9}},
			want:  [][]int32{{0, 1, 2, 3}},
		},
		{
			name:  "a star is not split",
			n:     6,
			edges: []opEdge{{0, 1, 0.9}, {0, 2, 0.9}, {0, 3, 0.9}, {0, 4, 0.9}, {0, 5, 0.9}},
			want:  [][]int32{{0, 1, 2, 3, 4, 5}},
		},
		{
			name: "three groups around a collector's account split",
			n:    9,
			// A value held by three personas of three operators: its weight is shared
			// among the three pairs, so each is weak.
			edges: func() []opEdge {
				es := opEdges(slices.Concat(clique(1, 0, 1, 2), clique(1, 3, 4, 5), clique(1, 6, 7, 8)))
				es.addValue([]int32{2, 5, 8}, 1, false)
				return es
			}(),
			want: [][]int32{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}},
		},
		{
			name: "a value an analyst confirmed is never cut",
			n:    9,
			edges: func() []opEdge {
				es := opEdges(slices.Concat(clique(1, 0, 1, 2), clique(1, 3, 4, 5), clique(1, 6, 7, 8)))
				es.addValue([]int32{2, 5, 8}, 1, true)
				return es
			}(),
			want: [][]int32{{0, 1, 2, 3, 4, 5, 6, 7, 8}},
		},
		{
			name:  "unlinked person clusters stay apart",
			n:     3,
			edges: nil,
			want:  [][]int32{{0}, {1}, {2}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := refined(tc.n, tc.edges); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The refined partition depends on the links, not on the order they were found in:
// parallel edges are summed and nodes visited in ascending order whatever the input.
func TestRefineOperatorsOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 400
	var edges opEdges
	// Groups of three to eight person clusters, chained by weak links and sprinkled with
	// random ones, with parallel edges.
	for start := int32(0); start < n-8; {
		size := 3 + r.Int32N(6)
		var g []int32
		for i := range size {
			g = append(g, start+i)
		}
		edges = append(edges, clique(0.5+r.Float64(), g...)...)
		if r.IntN(2) == 0 {
			edges.add(start+size-1, start+size, 0.3+0.6*r.Float64())
		}
		start += size
	}
	for range 60 {
		edges.add(r.Int32N(n), r.Int32N(n), r.Float64())
	}
	want := refined(n, edges)
	if len(want) < 2 || len(want) == n {
		t.Fatalf("degenerate test graph: %d sets", len(want))
	}
	for range 10 {
		shuffled := slices.Clone(edges)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for i := range shuffled {
			if r.IntN(2) == 0 { // either endpoint first
				shuffled[i].a, shuffled[i].b = shuffled[i].b, shuffled[i].a
			}
		}
		if got := refined(n, shuffled); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatal("refined partition depends on the order of the links")
		}
	}
}

// The refinement never joins what union-find kept apart, and never splits a person
// cluster: its sets refine the union-find sets of the same links.
func TestRefineOperatorsRefinesUnionFind(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 300
	person := newUnionFind(n)
	for range 60 {
		person.union(r.Int32N(n), r.Int32N(n))
	}
	all := person.clone()
	var edges opEdges
	for range 250 {
		a, b := person.find(r.Int32N(n)), person.find(r.Int32N(n))
		edges.add(a, b, 0.2+r.Float64())
		all.union(a, b)
	}
	refined, _ := refineOperators(person, edges)
	for i := range int32(n) {
		if refined.find(i) != refined.find(person.find(i)) {
			t.Fatalf("record %d split from its person cluster", i)
		}
		for j := range int32(n) {
			if refined.find(i) == refined.find(j) && all.find(i) != all.find(j) {
				t.Fatalf("records %d and %d joined without a link", i, j)
			}
		}
	}
}

// BenchmarkRefineOperators measures the refinement over a million person clusters, a
// third of them in linked groups (the share is far above the generated populations'):
//
//	go test ./engine -run '^$' -bench RefineOperators -benchtime 3x
func BenchmarkRefineOperators(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	const n = 1_000_000
	var edges opEdges
	for start := int32(0); start < n/3; {
		size := 2 + r.Int32N(7)
		var g []int32
		for i := range size {
			g = append(g, start+i)
		}
		edges = append(edges, clique(0.8+r.Float64(), g...)...)
		if r.IntN(4) == 0 {
			edges.add(start+size-1, start+size, 0.9)
		}
		start += size
	}
	person := newUnionFind(n)
	b.ResetTimer()
	for range b.N {
		refineOperators(person, edges)
	}
	b.ReportMetric(float64(len(edges)), "links")
}
