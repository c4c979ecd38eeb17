package export

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// GraphML document structure, enough for what WriteGraphML writes and for reading it
// back in tests. Hand-written: the format is small and the Go GraphML modules are not
// available here.
type graphML struct {
	XMLName        xml.Name     `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	XSI            string       `xml:"xmlns:xsi,attr,omitempty"`
	SchemaLocation string       `xml:"xsi:schemaLocation,attr,omitempty"`
	Keys           []graphMLKey `xml:"key"`
	Graph          graphMLGraph `xml:"graph"`
}

type graphMLKey struct {
	ID   string `xml:"id,attr"`
	For  string `xml:"for,attr"`
	Name string `xml:"attr.name,attr"`
	Type string `xml:"attr.type,attr"`
}

type graphMLGraph struct {
	ID          string        `xml:"id,attr"`
	EdgeDefault string        `xml:"edgedefault,attr"`
	Data        []graphMLData `xml:"data"`
	Nodes       []graphMLNode `xml:"node"`
	Edges       []graphMLEdge `xml:"edge"`
}

type graphMLNode struct {
	ID   string        `xml:"id,attr"`
	Data []graphMLData `xml:"data"`
}

type graphMLEdge struct {
	ID     string        `xml:"id,attr"`
	Source string        `xml:"source,attr"`
	Target string        `xml:"target,attr"`
	Data   []graphMLData `xml:"data"`
}

type graphMLData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

// graphMLKeys declares every attribute; ids are the attribute names, which GraphML
// allows and which keep the file readable.
var graphMLKeys = []graphMLKey{
	{"cluster_id", "graph", "cluster_id", "string"},
	{"level", "graph", "level", "string"},
	{"risk", "graph", "risk", "double"},
	{"flags", "graph", "flags", "string"},
	{"generated", "graph", "generated", "string"},
	{"type", "node", "type", "string"},
	{"label", "node", "label", "string"},
	{"record_id", "node", "record_id", "string"},
	{"source", "node", "source", "string"},
	{"event", "node", "event", "string"},
	{"observed_at", "node", "observed_at", "string"},
	{"persona", "node", "persona", "string"},
	{"kind", "all", "kind", "string"},
	{"value", "node", "value", "string"},
	{"personas", "node", "personas", "int"},
	{"weight", "edge", "weight", "double"},
}

// WriteGraphML writes the cluster as a GraphML graph: a node per member record (type
// "record") and per shared value (type "value"), and an undirected edge from each record
// to each shared value it holds, with the value's kind. Gephi, yEd, Cytoscape and
// networkx read it.
func WriteGraphML(w io.Writer, ev *Evidence) error {
	g := newGraphView(ev)
	doc := graphML{
		XSI:            "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
		Keys:           graphMLKeys,
		Graph: graphMLGraph{ID: ev.Cluster.ID, EdgeDefault: "undirected", Data: []graphMLData{
			{"cluster_id", ev.Cluster.ID},
			{"level", ev.Cluster.Level},
			{"risk", strconv.FormatFloat(ev.Cluster.Risk, 'g', -1, 64)},
			{"flags", strings.Join(ev.Cluster.Flags, ",")},
			{"generated", ev.Generated.UTC().Format(time.RFC3339)},
		}},
	}
	for _, n := range g.nodes {
		gn := graphMLNode{ID: n.ID}
		if m := n.Record; m != nil {
			gn.Data = nonEmpty([]graphMLData{{"type", "record"}, {"label", n.Label()}, {"record_id", m.RecordID}, {"source", m.Source},
				{"event", m.Event}, {"observed_at", m.Observed.Format(time.RFC3339)}, {"persona", m.Persona}})
		} else {
			v := n.Value
			gn.Data = []graphMLData{{"type", "value"}, {"label", n.Label()}, {"kind", v.Kind}, {"value", v.Value},
				{"personas", strconv.Itoa(v.Personas)}}
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, gn)
	}
	for _, e := range g.edges {
		doc.Graph.Edges = append(doc.Graph.Edges, graphMLEdge{ID: e.ID, Source: g.nodes[e.Source].ID, Target: g.nodes[e.Target].ID,
			Data: []graphMLData{{"kind", e.Kind}}})
	}
	return writeXML(w, doc, "graphml")
}

func nonEmpty(d []graphMLData) []graphMLData {
	out := d[:0]
	for _, x := range d {
		if x.Value != "" {
			out = append(out, x)
		}
	}
	return out
}

// writeXML writes the XML declaration and v, indented, with a final newline.
func writeXML(w io.Writer, v any, what string) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("export: %s: %w", what, err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("export: %s: %w", what, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("export: %s: %w", what, err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("export: %s: %w", what, err)
	}
	return nil
}
