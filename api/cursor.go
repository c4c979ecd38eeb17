package api

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/personagraph/personagraph/graph"
)

// clusterCursor is the position after the last cluster of a page in the queue's order
// (risk down, size down, id up). A position rather than an offset, so that a page does
// not repeat or skip clusters when others enter or leave the queue between requests.
type clusterCursor struct {
	Risk float64 `json:"r"`
	Size int     `json:"s"`
	ID   string  `json:"i"`
}

// errBadCursor is a cursor the server did not make.
var errBadCursor = errors.New("cursor: not one this server gave")

// encode makes the cursor opaque: clients pass it back and never read it.
func (c clusterCursor) encode() string {
	b, _ := json.Marshal(c) // three plain fields cannot fail to encode
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (clusterCursor, error) {
	var c clusterCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, errBadCursor
	}
	return c, nil
}

// after reports whether cl comes after the cursor in the queue's order.
func (c clusterCursor) after(cl *graph.Cluster) bool {
	return cmp.Or(cmp.Compare(c.Risk, cl.Risk), cmp.Compare(c.Size, cl.Size), strings.Compare(cl.ID, c.ID)) > 0
}

// ClusterPage is one page of a risk-ordered cluster list and the cursor of the next
// page ("" on the last).
type ClusterPage struct {
	Clusters []*graph.Cluster
	Next     string
}

// PageClusters cuts one page of at most limit clusters out of cs (sorted riskiest
// first, then largest, then by id, as engine.Clusters returns them), starting after
// cursor ("" for the first page). The web UI pages its queue with it too.
func PageClusters(cs []*graph.Cluster, cursor string, limit int) (ClusterPage, error) {
	start := 0
	if cursor != "" {
		c, err := decodeCursor(cursor)
		if err != nil {
			return ClusterPage{}, err
		}
		start, _ = slices.BinarySearchFunc(cs, c, func(cl *graph.Cluster, c clusterCursor) int {
			if c.after(cl) {
				return 1
			}
			return -1
		})
	}
	end := min(start+limit, len(cs))
	p := ClusterPage{Clusters: cs[start:end]}
	if end < len(cs) && end > start {
		last := cs[end-1]
		p.Next = clusterCursor{Risk: last.Risk, Size: last.Size, ID: last.ID}.encode()
	}
	return p, nil
}

// ClusterHasFlags reports whether a cluster carries every flag of want.
func ClusterHasFlags(c *graph.Cluster, want []string) bool {
	for _, f := range want {
		if !slices.Contains(c.Flags, f) {
			return false
		}
	}
	return true
}
