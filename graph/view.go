package graph

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"

	"github.com/personagraph/personagraph/ingest"
)

// View is a read-only, undirected gonum graph over a set of stored records (usually one
// cluster): the evidence graph the engine runs gonum algorithms on.
//
// # Shape
//
// The view is bipartite: record nodes, and one node per identifier value that two or
// more of the view's records hold, with an edge between a record and each shared value it
// holds. The alternative, records only with an edge per pair sharing a value, was
// rejected: a value held by k records becomes k(k-1)/2 edges (a laptop-farm address with
// 40 personas is 780 edges instead of 40), and the question the engine asks most, "which
// value holds this cluster together", is a node question in the bipartite graph (an
// articulation point) but a set-of-edges question in the projected one. Values held by
// one record of the view are left out: they are leaves that link nothing.
//
// # Node ids
//
// Node ids are stable: a record's id is a 62-bit FNV-1a hash of its record id with the
// low bit 0, a value's the hash of its kind and value with the low bit 1. The same record
// or value has the same id in every view and every run, so a UI can key on it, and no id
// table is stored. NewView fails with ErrIDCollision in the (about 2^-42 for a
// 1,000-node view) case that two nodes of one view hash alike.
//
// # Reading
//
// NewView reads the members' identifier lists ('X' keys) in one read transaction and
// nothing else: the cost is the cluster's size, never the store's. Postings ('I' keys)
// are not scanned to find shared values, because a hub value's posting list can hold
// millions of records while the members' own lists bound the work; Outside reads a
// value's postings on demand when a caller wants its spread beyond the view. gonum's
// interfaces return no errors, which is why the view reads up front and then answers from
// memory.
type View struct {
	nodes   []gonum.Node            // records in record-id order, then values by kind and value
	byID    map[int64]gonum.Node    // every node by id
	adj     map[int64][]gonum.Node  // neighbours, ordered as nodes
	records map[string]*RecordNode  // record nodes by record id
	values  map[valueKey]*ValueNode // value nodes by kind and value
	store   *Store
}

// ErrIDCollision is returned by NewView when two nodes of one view hash to the same id.
var ErrIDCollision = errors.New("graph: node id collision in view")

type valueKey struct {
	kind  ingest.Kind
	value string
}

// RecordNode is a record in a View.
type RecordNode struct {
	NodeID   int64
	RecordID string
}

// ID implements gonum's graph.Node.
func (n *RecordNode) ID() int64 { return n.NodeID }

// ValueNode is an identifier value shared by two or more records of a View.
type ValueNode struct {
	NodeID int64
	Kind   ingest.Kind
	Value  string
}

// ID implements gonum's graph.Node.
func (n *ValueNode) ID() int64 { return n.NodeID }

// RecordNodeID is the stable node id of a record.
func RecordNodeID(recordID string) int64 { return nodeID("r", recordID) &^ 1 }

// ValueNodeID is the stable node id of an identifier value.
func ValueNodeID(kind ingest.Kind, value string) int64 {
	return nodeID("v\x00"+string(kind), value) | 1
}

func nodeID(tag, s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(tag))
	h.Write([]byte{0})
	h.Write([]byte(s))
	return int64(h.Sum64() >> 2) // non-negative: gonum's simple graphs reserve negatives
}

// viewEdge is an edge of a View, its ends in the order the caller named them (Edges puts
// the record first).
type viewEdge struct{ F, T gonum.Node }

func (e viewEdge) From() gonum.Node         { return e.F }
func (e viewEdge) To() gonum.Node           { return e.T }
func (e viewEdge) ReversedEdge() gonum.Edge { return viewEdge{F: e.T, T: e.F} }
func (e viewEdge) String() string           { return fmt.Sprint(e.F.ID(), "--", e.T.ID()) }
func (v *View) String() string              { return fmt.Sprintf("graph.View(%d nodes)", len(v.nodes)) }

var (
	_ gonum.Undirected = (*View)(nil)
	_ gonum.Edge       = viewEdge{}
)

// NewView reads the identifier lists of the given records and returns the bipartite view
// over them. Unknown record ids are an ErrNotFound error; duplicates are ignored.
// Names and birthdays are not values of the view: the store does not post them either
// (identcodec.go, posted), because a common name or birthday identifies nobody.
func (s *Store) NewView(ctx context.Context, recordIDs []string) (*View, error) {
	v := &View{
		byID:    make(map[int64]gonum.Node),
		adj:     make(map[int64][]gonum.Node),
		records: make(map[string]*RecordNode, len(recordIDs)),
		values:  make(map[valueKey]*ValueNode),
		store:   s,
	}
	holders := make(map[valueKey][]*RecordNode)
	err := s.db.View(func(txn *badger.Txn) error {
		for i, id := range recordIDs {
			if _, dup := v.records[id]; dup {
				continue
			}
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rn := &RecordNode{NodeID: RecordNodeID(id), RecordID: id}
			if err := v.add(rn); err != nil {
				return err
			}
			v.records[id] = rn
			item, err := txn.Get(recIdentKey(id))
			if errors.Is(err, badger.ErrKeyNotFound) {
				if _, err := txn.Get(recordKey(id)); errors.Is(err, badger.ErrKeyNotFound) {
					return fmt.Errorf("record %q: %w", id, ErrNotFound)
				}
				continue // a record without identifiers
			}
			if err != nil {
				return err
			}
			seen := make(map[valueKey]bool)
			if err := item.Value(func(list []byte) error {
				return eachIdentifier(list, func(kind, value []byte) error {
					k := valueKey{ingest.Kind(kind), string(value)}
					if !posted(k.kind) || seen[k] {
						return nil
					}
					seen[k] = true
					holders[k] = append(holders[k], rn)
					return nil
				})
			}); err != nil {
				return fmt.Errorf("graph: record %q identifiers: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k, hs := range holders {
		if len(hs) < 2 {
			continue
		}
		vn := &ValueNode{NodeID: ValueNodeID(k.kind, k.value), Kind: k.kind, Value: k.value}
		if err := v.add(vn); err != nil {
			return nil, err
		}
		v.values[k] = vn
		for _, rn := range hs {
			v.adj[vn.NodeID] = append(v.adj[vn.NodeID], rn)
			v.adj[rn.NodeID] = append(v.adj[rn.NodeID], vn)
		}
	}
	slices.SortFunc(v.nodes, compareNodes)
	for id := range v.adj {
		slices.SortFunc(v.adj[id], compareNodes)
	}
	return v, nil
}

func (v *View) add(n gonum.Node) error {
	if old, ok := v.byID[n.ID()]; ok {
		return fmt.Errorf("%w: %v and %v", ErrIDCollision, describe(old), describe(n))
	}
	v.byID[n.ID()] = n
	v.nodes = append(v.nodes, n)
	return nil
}

// compareNodes orders records (by record id) before values (by kind, then value), so
// that iteration, and with it every algorithm's output, is deterministic.
func compareNodes(a, b gonum.Node) int {
	switch a := a.(type) {
	case *RecordNode:
		if b, ok := b.(*RecordNode); ok {
			return strings.Compare(a.RecordID, b.RecordID)
		}
		return -1
	case *ValueNode:
		if b, ok := b.(*ValueNode); ok {
			return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Value, b.Value))
		}
		return 1
	}
	panic(fmt.Sprintf("graph: foreign node %T in view", a))
}

func describe(n gonum.Node) string {
	switch n := n.(type) {
	case *RecordNode:
		return "record " + n.RecordID
	case *ValueNode:
		return string(n.Kind) + " value"
	}
	return fmt.Sprint(n.ID())
}

// Node implements gonum's graph.Graph: the node with the id, or nil.
func (v *View) Node(id int64) gonum.Node {
	if n, ok := v.byID[id]; ok {
		return n
	}
	return nil
}

// Nodes implements gonum's graph.Graph: records in record-id order, then values.
func (v *View) Nodes() gonum.Nodes { return iterator.NewOrderedNodes(v.nodes) }

// From implements gonum's graph.Graph: the neighbours of a node (a record's shared
// values, a value's holders in the view).
func (v *View) From(id int64) gonum.Nodes {
	ns := v.adj[id]
	if len(ns) == 0 {
		return gonum.Empty
	}
	return iterator.NewOrderedNodes(ns)
}

// HasEdgeBetween implements gonum's graph.Graph.
func (v *View) HasEdgeBetween(xid, yid int64) bool {
	return v.EdgeBetween(xid, yid) != nil
}

// Edge implements gonum's graph.Graph; the view is undirected, so it is EdgeBetween.
func (v *View) Edge(uid, vid int64) gonum.Edge { return v.EdgeBetween(uid, vid) }

// EdgeBetween implements gonum's graph.Undirected: the edge between a record and a value
// it holds, or nil.
func (v *View) EdgeBetween(xid, yid int64) gonum.Edge {
	x, ok := v.byID[xid]
	if !ok {
		return nil
	}
	y, ok := v.byID[yid]
	if !ok || xid&1 == yid&1 { // bipartite: no record-record or value-value edges
		return nil
	}
	// Scan the shorter list: a value's holders or a record's values.
	a, b := xid, yid
	if len(v.adj[a]) > len(v.adj[b]) {
		a, b = b, a
	}
	for _, n := range v.adj[a] {
		if n.ID() == b {
			return viewEdge{F: x, T: y}
		}
	}
	return nil
}

// Edges returns every edge of the view, record to value, ordered by value and then
// record: what an exporter or gonum's edge-listing algorithms read.
func (v *View) Edges() gonum.Edges {
	var es []gonum.Edge
	for _, n := range v.nodes {
		if vn, ok := n.(*ValueNode); ok {
			for _, r := range v.adj[vn.NodeID] {
				es = append(es, viewEdge{F: r, T: vn})
			}
		}
	}
	if len(es) == 0 {
		return gonum.Empty
	}
	return iterator.NewOrderedEdges(es)
}

// Records returns the record nodes of the view, in record-id order.
func (v *View) Records() []*RecordNode {
	out := make([]*RecordNode, 0, len(v.records))
	for _, n := range v.nodes {
		if r, ok := n.(*RecordNode); ok {
			out = append(out, r)
		}
	}
	return out
}

// Values returns the shared-value nodes of the view, by kind and value.
func (v *View) Values() []*ValueNode {
	out := make([]*ValueNode, 0, len(v.values))
	for _, n := range v.nodes {
		if vn, ok := n.(*ValueNode); ok {
			out = append(out, vn)
		}
	}
	return out
}

// Outside returns how many records outside the view hold a value, read from its
// postings: the value's spread beyond the cluster.
func (v *View) Outside(ctx context.Context, n *ValueNode) (int, error) {
	hs, err := v.store.Holders(ctx, n.Kind, n.Value)
	if err != nil {
		return 0, err
	}
	out := 0
	for _, h := range hs {
		if v.records[h] == nil {
			out++
		}
	}
	return out, nil
}
