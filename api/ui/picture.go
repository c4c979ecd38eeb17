package ui

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/engine/export"
)

// Picture geometry, in SVG user units.
const (
	picWidth, picHeight, picMargin = 1000, 640, 36
	// picMaxValues is the most shared values drawn: past it the strongest are kept
	// and the rest are counted by kind under the picture. A 300-member cluster can share
	// hundreds of values (IP ranges, CV bands); drawing all of them makes a hairball.
	picMaxValues = 60
	// picLabelLimit is the most nodes that get a text label; bigger pictures keep
	// tooltips and hover highlighting only.
	picLabelLimit = 70
)

// kindRank orders kinds by how much a shared value of the kind says about one operator:
// the strongest are drawn first when values are capped.
var kindRank = map[string]int{
	"device": 0, "payment": 1, "document": 2, "phone": 3, "email": 4, "photo": 5, "address": 6,
	"profile": 7, "username": 8, "ip": 9, "postcode": 10, "ip_prefix": 11, "cv_shingle_band": 12,
}

func rankOf(kind string) int {
	if r, ok := kindRank[kind]; ok {
		return r
	}
	return len(kindRank)
}

// picture is the cluster graph: personas (person clusters inside the operator cluster)
// as circles, the values two or more of them share as squares, and a line from each
// persona to each value it holds, styled by the value's kind. Personas rather than
// records, because one human's re-applications are not the operator signal; values held
// inside one persona only are counted, not drawn.
type picture struct {
	Width, Height int
	Nodes         []picNode
	Edges         []picEdge
	Kinds         []string // kinds drawn, for the legend
	Personas      int
	Omitted       []kindCount // shared values not drawn, by kind
	Inner         int         // values shared inside one persona only
	Labels        bool
}

type picNode struct {
	ID      string // "n3": hover highlighting finds edges by it
	X, Y, R float64
	Persona bool
	Kind    string // value kind; "" for personas
	Hub     bool   // an analyst labelled the value a benign hub
	Farm    bool   // an analyst confirmed the value as an operator's
	Label   string
	Title   string
	Href    string
	LabelX  float64
}

type picEdge struct {
	X1, Y1, X2, Y2 float64
	Kind           string
	Hub            bool
	From, To       string // node ids
}

type kindCount struct {
	Kind  string
	Count int
}

// newPicture lays out the graph of ev; valueLabels maps "kind:value" to the label in
// force on it.
func newPicture(ev *export.Evidence, valueLabels map[string]string) *picture {
	p := &picture{Width: picWidth, Height: picHeight}
	// Personas in order of first member, with their members.
	personaIdx := map[string]int{}
	var personas [][]*export.Member
	for i := range ev.Members {
		m := &ev.Members[i]
		pi, ok := personaIdx[m.Persona]
		if !ok {
			pi = len(personas)
			personaIdx[m.Persona] = pi
			personas = append(personas, nil)
		}
		personas[pi] = append(personas[pi], m)
	}
	p.Personas = len(personas)
	recPersona := make(map[string]int, len(ev.Members))
	for i := range ev.Members {
		recPersona[ev.Members[i].RecordID] = personaIdx[ev.Members[i].Persona]
	}

	// Values shared across personas, strongest kinds and widest spread first.
	var cross []*export.Value
	for i := range ev.Values {
		if ev.Values[i].Personas >= 2 {
			cross = append(cross, &ev.Values[i])
		} else {
			p.Inner++
		}
	}
	slices.SortStableFunc(cross, func(a, b *export.Value) int {
		return cmp.Or(cmp.Compare(rankOf(a.Kind), rankOf(b.Kind)), cmp.Compare(b.Personas, a.Personas))
	})
	if len(cross) > picMaxValues {
		cross = connectingFirst(cross, recPersona, len(personas))
		omitted := map[string]int{}
		for _, v := range cross[picMaxValues:] {
			omitted[v.Kind]++
		}
		for k, n := range omitted {
			p.Omitted = append(p.Omitted, kindCount{k, n})
		}
		slices.SortFunc(p.Omitted, func(a, b kindCount) int { return cmp.Compare(rankOf(a.Kind), rankOf(b.Kind)) })
		cross = cross[:picMaxValues]
	}

	n := len(personas) + len(cross)
	p.Labels = n <= picLabelLimit
	var edges [][2]int
	type edgeInfo struct {
		kind string
		hub  bool
	}
	var infos []edgeInfo
	kinds := map[string]bool{}
	for vi, v := range cross {
		node := len(personas) + vi
		lab := valueLabels[v.Key()]
		seen := map[int]bool{}
		for _, rid := range v.Records {
			pi, ok := recPersona[rid]
			if !ok || seen[pi] {
				continue
			}
			seen[pi] = true
			edges = append(edges, [2]int{pi, node})
			infos = append(infos, edgeInfo{v.Kind, lab == engine.LabelBenignHub})
		}
		kinds[v.Kind] = true
	}
	pos := export.Layout(n, edges)
	scale := math.Min(picWidth, picHeight) - 2*picMargin
	xoff := (picWidth - scale) / 2
	at := func(i int) (float64, float64) {
		return round1(xoff + pos[i][0]*scale), round1(picMargin + pos[i][1]*scale)
	}
	for pi, ms := range personas {
		x, y := at(pi)
		names := make([]string, 0, len(ms))
		for _, m := range ms {
			names = append(names, cmp.Or(m.Name, m.RecordID))
		}
		slices.Sort(names)
		names = slices.Compact(names)
		title := fmt.Sprintf("%s · %d record(s)", strings.Join(names[:min(len(names), 4)], ", "), len(ms))
		p.Nodes = append(p.Nodes, picNode{ID: fmt.Sprintf("n%d", pi), X: x, Y: y, R: round1(5 + 2*math.Sqrt(float64(len(ms)))),
			Persona: true, Label: truncate(names[0], 22), Title: title, Href: "/records/" + pathEscape(ms[0].RecordID), LabelX: x + 9})
	}
	for vi, v := range cross {
		i := len(personas) + vi
		x, y := at(i)
		lab := valueLabels[v.Key()]
		title := fmt.Sprintf("%s: %s · %d personas, %d records", v.Kind, v.Value, v.Personas, len(v.Records))
		if lab != "" {
			title += " · labelled " + lab
		}
		p.Nodes = append(p.Nodes, picNode{ID: fmt.Sprintf("n%d", i), X: x, Y: y, R: 6, Kind: v.Kind,
			Hub: lab == engine.LabelBenignHub, Farm: lab == engine.LabelConfirmedFarm,
			Label: truncate(v.Kind+": "+v.Value, 26), Title: title,
			Href: "/identifier?kind=" + queryEscape(v.Kind) + "&value=" + queryEscape(v.Value), LabelX: x + 9})
	}
	for i, e := range edges {
		x1, y1 := at(e[0])
		x2, y2 := at(e[1])
		p.Edges = append(p.Edges, picEdge{X1: x1, Y1: y1, X2: x2, Y2: y2, Kind: infos[i].kind, Hub: infos[i].hub,
			From: fmt.Sprintf("n%d", e[0]), To: fmt.Sprintf("n%d", e[1])})
	}
	for k := range kinds {
		p.Kinds = append(p.Kinds, k)
	}
	slices.SortFunc(p.Kinds, func(a, b string) int { return cmp.Compare(rankOf(a), rankOf(b)) })
	return p
}

// connectingFirst reorders values (already strongest first) so that the first ones are
// those that join personas not yet joined: a greedy spanning forest over personas, in
// strength order, then the rest. Cut to picMaxValues, the picture then shows how the
// whole cluster hangs together instead of the strongest kind's islands.
func connectingFirst(values []*export.Value, recPersona map[string]int, personas int) []*export.Value {
	parent := make([]int, personas)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	first := make([]*export.Value, 0, len(values))
	var rest []*export.Value
	for _, v := range values {
		joins := false
		root := -1
		for _, r := range v.Records {
			p, ok := recPersona[r]
			if !ok {
				continue
			}
			if root < 0 {
				root = find(p)
				continue
			}
			if q := find(p); q != root {
				parent[q] = root
				joins = true
			}
		}
		if joins {
			first = append(first, v)
		} else {
			rest = append(rest, v)
		}
	}
	return append(first, rest...)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
