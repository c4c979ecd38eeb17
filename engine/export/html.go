package export

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// svg picture geometry, in user units.
const (
	svgWidth, svgHeight, svgMargin = 960, 640, 40
	// svgLabelLimit is the most nodes whose labels are drawn; past it the picture keeps
	// tooltips only, so that big clusters stay legible.
	svgLabelLimit = 80
)

type svgNode struct {
	X, Y        float64
	Record      bool
	Fill, Label string
	Title       string
	ShowLabel   bool
	LabelX      float64
}

type svgEdge struct {
	X1, Y1, X2, Y2 float64
	Stroke         string
}

type legendItem struct{ Kind, Fill string }

type htmlView struct {
	*Evidence
	Generated                string
	Nodes                    []svgNode
	Edges                    []svgEdge
	Legend                   []legendItem
	Width, Height            int
	Personas                 int
	RiskText, FormatVersionS string
}

func hexColour(c [3]byte) string { return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]) }

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// WriteHTML writes a printable, self-contained report (no scripts, fonts or images from
// elsewhere): the cluster summary, an SVG picture of records and the values they share
// (laid out by forceLayout), the flags with the values and records behind them, the
// shared values, the members with their identifiers, and the timeline. html/template
// escapes every value taken from records.
func WriteHTML(w io.Writer, ev *Evidence) error {
	g := newGraphView(ev)
	pos := g.layout()
	v := htmlView{Evidence: ev, Generated: ev.Generated.UTC().Format(time.RFC3339), Width: svgWidth, Height: svgHeight,
		RiskText: formatRisk(ev.Cluster.Risk), FormatVersionS: fmt.Sprint(ev.FormatVersion)}
	scale := math.Min(svgWidth, svgHeight) - 2*svgMargin
	xoff := (svgWidth - scale) / 2
	at := func(p point) (float64, float64) { return round1(xoff + p.X*scale), round1(svgMargin + p.Y*scale) }
	kinds := map[string]bool{}
	personas := map[string]bool{}
	for i, n := range g.nodes {
		x, y := at(pos[i])
		sn := svgNode{X: x, Y: y, Label: truncate(n.Label(), 28), ShowLabel: len(g.nodes) <= svgLabelLimit, LabelX: x + 9}
		if m := n.Record; m != nil {
			sn.Record, sn.Fill = true, hexColour(recordColour)
			sn.Title = m.RecordID + " · " + m.Name + " · " + m.Source + " · " + m.Observed.Format(time.DateOnly)
			personas[m.Persona] = true
		} else {
			sn.Fill = hexColour(kindColour(n.Value.Kind))
			sn.Title = n.Value.Key() + fmt.Sprintf(" · held by %d records, %d personas", len(n.Value.Records), n.Value.Personas)
			kinds[n.Value.Kind] = true
		}
		v.Nodes = append(v.Nodes, sn)
	}
	for _, e := range g.edges {
		x1, y1 := at(pos[e.Source])
		x2, y2 := at(pos[e.Target])
		v.Edges = append(v.Edges, svgEdge{x1, y1, x2, y2, hexColour(kindColour(e.Kind))})
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range kinds {
			if !yield(k) {
				return
			}
		}
	}) {
		v.Legend = append(v.Legend, legendItem{k, hexColour(kindColour(k))})
	}
	v.Personas = len(personas)
	if err := htmlTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("export: html: %w", err)
	}
	return nil
}

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"join":  strings.Join,
	"time":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") },
	"inc":   func(i int) int { return i + 1 },
	"minus": func(a, b float64) float64 { return a - b },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Evidence: {{.Cluster.Level}} cluster {{.Cluster.ID}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
code, .mono { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
.flag { display: inline-block; background: #fde2e1; border: 1px solid #e8a09a; border-radius: 3px; padding: 0 4px; margin: 1px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
svg { border: 1px solid #ccc; max-width: 100%; height: auto; }
svg text { font: 10px sans-serif; fill: #222; }
.ids { margin: 0; padding-left: 1.2em; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr, svg { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Evidence report: {{.Cluster.Level}} cluster <code>{{.Cluster.ID}}</code></h1>
<table>
<tr><th>Cluster</th><td><code>{{.Cluster.ID}}</code> ({{.Cluster.Level}})</td></tr>
<tr><th>Records</th><td>{{.Cluster.Size}} records, {{.Personas}} personas</td></tr>
<tr><th>Risk</th><td>{{.RiskText}}</td></tr>
<tr><th>Flags</th><td>{{range .Cluster.Flags}}<span class="flag">{{.}}</span> {{else}}none{{end}}</td></tr>
<tr><th>Generated</th><td>{{.Generated}} by personagraph (evidence format {{.FormatVersionS}})</td></tr>
{{- if .Missing}}
<tr><th>Missing</th><td>records gone since clustering: {{range .Missing}}<code>{{.}}</code> {{end}}</td></tr>
{{- end}}
</table>

<h2>Picture</h2>
<p>Dark circles are records; squares are the values they share, coloured by kind.
{{- range .Legend}}<span class="swatch" style="background: {{.Fill}}"></span>{{.Kind}}{{end}}</p>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="cluster graph">
<g stroke-width="1.2" stroke-opacity="0.7">
{{- range .Edges}}
<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" stroke="{{.Stroke}}"/>
{{- end}}
</g>
{{- range .Nodes}}
{{- if .Record}}
<circle cx="{{.X}}" cy="{{.Y}}" r="7" fill="{{.Fill}}"><title>{{.Title}}</title></circle>
{{- else}}
<rect x="{{minus .X 5}}" y="{{minus .Y 5}}" width="10" height="10" fill="{{.Fill}}"><title>{{.Title}}</title></rect>
{{- end}}
{{- if .ShowLabel}}
<text x="{{.LabelX}}" y="{{.Y}}" dy="3">{{.Label}}</text>
{{- end}}
{{- end}}
</svg>

<h2>Flags</h2>
<table>
<tr><th>Flag</th><th>Basis</th><th>Values</th><th>Records</th></tr>
{{- range .Flags}}
<tr><td><span class="flag">{{.Name}}</span></td><td>{{.Basis}}</td>
<td class="mono">{{range .Values}}{{.Kind}}: {{.Value}}<br>{{end}}</td>
<td class="mono">{{range .Records}}{{.}}<br>{{end}}</td></tr>
{{- else}}
<tr><td colspan="4">No flags.</td></tr>
{{- end}}
</table>

<h2>Shared values</h2>
<table>
<tr><th>Kind</th><th>Value</th><th>Personas</th><th>Records</th></tr>
{{- range .Values}}
<tr><td>{{.Kind}}</td><td class="mono">{{.Value}}</td><td>{{.Personas}}</td><td class="mono">{{range .Records}}{{.}}<br>{{end}}</td></tr>
{{- else}}
<tr><td colspan="4">No shared values.</td></tr>
{{- end}}
</table>

<h2>Members</h2>
<table>
<tr><th>#</th><th>Record</th><th>Name</th><th>Source</th><th>Event</th><th>Persona</th><th>Observed</th><th>Identifiers</th></tr>
{{- range $i, $m := .Members}}
<tr><td>{{inc $i}}</td><td class="mono">{{$m.RecordID}} (v{{$m.Version}})</td><td>{{$m.Name}}</td><td>{{$m.Source}}</td><td>{{$m.Event}}</td>
<td class="mono">{{$m.Persona}}</td><td>{{time $m.Observed}}</td>
<td><ul class="ids">{{range $m.Identifiers}}{{if ne .Kind "cv_shingle_band"}}<li class="mono">{{.Kind}}: {{.Value}}{{if .Flags}} [{{join .Flags ", "}}]{{end}}</li>{{end}}{{end}}</ul></td></tr>
{{- end}}
</table>

<h2>Timeline</h2>
<table>
<tr><th>When</th><th>Record</th><th>Event</th><th>Name</th><th>Source</th><th>Persona</th></tr>
{{- range .Timeline}}
<tr><td>{{time .At}}</td><td class="mono">{{.RecordID}}</td><td>{{.Event}}</td><td>{{.Name}}</td><td>{{.Source}}</td><td class="mono">{{.Persona}}</td></tr>
{{- end}}
</table>
<p>CV text bands are left out of the member list; the JSON export has every identifier.</p>
</body>
</html>
`))
