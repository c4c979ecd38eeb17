package export

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/graph/formats/gexf12"
)

// GEXF attribute ids; their titles are the names.
var (
	gexfNodeAttrs = []gexf12.Attribute{
		{ID: "type", Title: "type", Type: "string"},
		{ID: "record_id", Title: "record_id", Type: "string"},
		{ID: "source", Title: "source", Type: "string"},
		{ID: "event", Title: "event", Type: "string"},
		{ID: "observed_at", Title: "observed_at", Type: "string"},
		{ID: "persona", Title: "persona", Type: "string"},
		{ID: "kind", Title: "kind", Type: "string"},
		{ID: "value", Title: "value", Type: "string"},
		{ID: "personas", Title: "personas", Type: "integer"},
	}
	gexfEdgeAttrs = []gexf12.Attribute{{ID: "kind", Title: "kind", Type: "string"}}
)

// WriteGEXF writes the same graph as WriteGraphML in GEXF 1.2 for Gephi, with each
// node's colour (records dark grey, values by kind) and its position from the HTML
// report's layout, so Gephi opens it already drawn.
func WriteGEXF(w io.Writer, ev *Evidence) error {
	g := newGraphView(ev)
	pos := g.layout()
	doc := gexf12.Content{
		Version: "1.2",
		Meta: &gexf12.Meta{
			Creator:      "personagraph",
			Keywords:     strings.Join(ev.Cluster.Flags, ","),
			Description:  fmt.Sprintf("%s cluster %s: %d records, risk %s", ev.Cluster.Level, ev.Cluster.ID, ev.Cluster.Size, formatRisk(ev.Cluster.Risk)),
			LastModified: ev.Generated.UTC(),
		},
		Graph: gexf12.Graph{
			Attributes:      []gexf12.Attributes{{Class: "node", Attributes: gexfNodeAttrs}, {Class: "edge", Attributes: gexfEdgeAttrs}},
			DefaultEdgeType: "undirected",
			Mode:            "static",
			IDType:          "string",
		},
	}
	for i, n := range g.nodes {
		gn := gexf12.Node{ID: n.ID, Label: n.Label(), Position: &gexf12.Position{X: round1(pos[i].X * 1000), Y: round1(pos[i].Y * 1000)}}
		var vals []gexf12.AttValue
		c := recordColour
		if m := n.Record; m != nil {
			vals = []gexf12.AttValue{{For: "type", Value: "record"}, {For: "record_id", Value: m.RecordID}, {For: "source", Value: m.Source},
				{For: "event", Value: m.Event}, {For: "observed_at", Value: m.Observed.Format(time.RFC3339)}, {For: "persona", Value: m.Persona}}
			gn.Size = &gexf12.Size{Value: 10}
		} else {
			v := n.Value
			c = kindColour(v.Kind)
			vals = []gexf12.AttValue{{For: "type", Value: "value"}, {For: "kind", Value: v.Kind}, {For: "value", Value: v.Value},
				{For: "personas", Value: strconv.Itoa(v.Personas)}}
			gn.Size = &gexf12.Size{Value: 5}
		}
		gn.Color = &gexf12.Color{R: c[0], G: c[1], B: c[2]}
		kept := vals[:0]
		for _, v := range vals {
			if v.Value != "" {
				kept = append(kept, v)
			}
		}
		gn.AttValues = &gexf12.AttValues{AttValues: kept}
		doc.Graph.Nodes.Nodes = append(doc.Graph.Nodes.Nodes, gn)
	}
	doc.Graph.Nodes.Count = len(doc.Graph.Nodes.Nodes)
	for _, e := range g.edges {
		doc.Graph.Edges.Edges = append(doc.Graph.Edges.Edges, gexf12.Edge{ID: e.ID, Source: g.nodes[e.Source].ID, Target: g.nodes[e.Target].ID,
			Label: e.Kind, AttValues: &gexf12.AttValues{AttValues: []gexf12.AttValue{{For: "kind", Value: e.Kind}}}})
	}
	doc.Graph.Edges.Count = len(doc.Graph.Edges.Edges)
	return writeXML(w, doc, "gexf")
}

// round1 rounds to one decimal, so coordinates print the same on every platform
// (fused multiply-add may change the last bits on some).
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// formatRisk prints a risk with up to three decimals.
func formatRisk(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }
