package export

import "strconv"

// gnode is a node of the cluster picture: a member record or a shared value.
type gnode struct {
	ID     string // "r1".. for records, "v1".. for values: file formats need plain ids
	Record *Member
	Value  *Value
}

// Label is what a node shows: a record's persona name (or id), a value's kind and value.
func (n gnode) Label() string {
	if n.Record != nil {
		if n.Record.Name != "" {
			return n.Record.Name
		}
		return n.Record.RecordID
	}
	return n.Value.Kind + ": " + n.Value.Value
}

// gedge ties a record to a value it holds.
type gedge struct {
	ID             string
	Source, Target int // node indexes
	Kind           string
}

// graphView is the bipartite picture of a cluster: records, the shared values, and an
// edge from each record to each shared value it holds. Bipartite rather than record
// pairs because a value held by n records needs n edges instead of n(n-1)/2, and the
// value itself is what an analyst wants to see.
type graphView struct {
	nodes []gnode
	edges []gedge
}

func newGraphView(ev *Evidence) *graphView {
	g := &graphView{}
	index := make(map[string]int, len(ev.Members))
	for i := range ev.Members {
		index[ev.Members[i].RecordID] = len(g.nodes)
		g.nodes = append(g.nodes, gnode{ID: "r" + strconv.Itoa(i+1), Record: &ev.Members[i]})
	}
	for i := range ev.Values {
		v := &ev.Values[i]
		vi := len(g.nodes)
		g.nodes = append(g.nodes, gnode{ID: "v" + strconv.Itoa(i+1), Value: v})
		for _, r := range v.Records {
			if ri, ok := index[r]; ok {
				g.edges = append(g.edges, gedge{ID: "e" + strconv.Itoa(len(g.edges)+1), Source: ri, Target: vi, Kind: v.Kind})
			}
		}
	}
	return g
}
