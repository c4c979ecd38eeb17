package ui

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/personagraph/personagraph/engine/export"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// clusterView is the cluster page.
type clusterView struct {
	ID, Level  string
	Size       int
	Risk       float64
	RiskPct    int
	RiskBand   string
	Personas   int
	Flags      []export.Flag
	Label      *graph.Label
	History    []*graph.Label
	Picture    *picture
	Timeline   *timeline
	Events     []export.Event
	Members    []export.Member
	Values     []valueRow
	Bridges    []bridgeRow
	MoreBridge int // bridges not listed
	Missing    []string
	Formats    []string
}

type valueRow struct {
	Kind, Value string
	Records     int
	Personas    int
	Label       string
}

type bridgeRow struct {
	Kind, Value string
	Parts       []int // sizes of the parts, largest first
	Smallest    []string
}

// maxBridges is how many bridges the page lists; the most balanced come first.
const maxBridges = 20

// exportFormats are the export links an investigator sees.
func exportFormats() []string {
	return []string{"html", "json", "csv", "graphml", "gexf", "ftm", "stix", "bundle"}
}

func (h *Handler) cluster(w http.ResponseWriter, r *http.Request) {
	v, err := h.clusterData(r, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	shown(r, len(v.Members))
	h.render(w, r, http.StatusOK, "cluster", view{Title: v.Level + " cluster " + v.ID, Nav: "queue", Data: v})
}

// clusterData gathers everything the cluster page shows. Split from the handler so that
// the benchmark can time it without HTTP.
func (h *Handler) clusterData(r *http.Request, id string) (*clusterView, error) {
	ctx := r.Context()
	ev, err := export.Gather(ctx, h.eng, id)
	if err != nil {
		return nil, err
	}
	v := &clusterView{ID: ev.Cluster.ID, Level: ev.Cluster.Level, Size: ev.Cluster.Size, Risk: ev.Cluster.Risk,
		RiskPct: int(ev.Cluster.Risk*100 + 0.5), RiskBand: riskBand(ev.Cluster.Risk), Flags: ev.Flags,
		Events: ev.Timeline, Members: ev.Members, Missing: ev.Missing, Formats: exportFormats()}
	if v.History, err = h.eng.Labels(ctx, graph.LabelQuery{ClusterID: id}); err != nil {
		return nil, err
	}
	if n := len(v.History); n > 0 {
		v.Label = v.History[n-1]
	}
	valueLabels := make(map[string]string, len(ev.Values))
	for _, val := range ev.Values {
		lab, err := h.eng.ValueLabel(ctx, ingest.Kind(val.Kind), val.Value)
		if err != nil {
			return nil, err
		}
		if lab != "" {
			valueLabels[val.Key()] = lab
		}
		if val.Kind != string(ingest.KindCVShingleBand) {
			v.Values = append(v.Values, valueRow{Kind: val.Kind, Value: val.Value, Records: len(val.Records), Personas: val.Personas, Label: lab})
		}
	}
	v.Picture = newPicture(ev, valueLabels)
	v.Personas = v.Picture.Personas
	v.Timeline = newTimeline(ev.Timeline)
	bridges, err := h.eng.Bridges(ctx, id)
	if err != nil {
		return nil, err
	}
	for i, b := range bridges {
		if i == maxBridges {
			v.MoreBridge = len(bridges) - maxBridges
			break
		}
		row := bridgeRow{Kind: b.Kind, Value: b.Value}
		for _, p := range b.Parts {
			row.Parts = append(row.Parts, len(p))
		}
		if n := len(b.Parts); n > 0 {
			row.Smallest = b.Parts[n-1][:min(len(b.Parts[n-1]), 5)]
		}
		v.Bridges = append(v.Bridges, row)
	}
	return v, nil
}

// labelCluster stores confirm-ring or dismiss from the cluster page.
func (h *Handler) labelCluster(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l := &graph.Label{ClusterID: id, Label: r.PostFormValue("label"), Note: r.PostFormValue("note"), By: sessionOf(r).who.Name}
	if err := h.eng.Label(r.Context(), l); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/clusters/"+url.PathEscape(id)+"#labels", http.StatusSeeOther)
}

// export sends a cluster's evidence file, as GET /v1/clusters/{id}/export does, for the
// signed-in investigator.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	if !s.who.Role.CanExport() {
		h.render(w, r, http.StatusForbidden, "error", view{Title: "Forbidden", Data: "role " + string(s.who.Role) + " may not export; ask an investigator"})
		return
	}
	name := r.URL.Query().Get("format")
	if name == "" {
		name = "json"
	}
	f, ok := export.Lookup(name)
	if !ok && name != "bundle" {
		h.fail(w, r, fmt.Errorf("%w: unknown export format %q", errBadInput, name))
		return
	}
	ev, err := export.Gather(r.Context(), h.eng, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	ctype, ext := f.ContentType, f.Ext
	if name == "bundle" {
		ctype, ext = "application/zip", ".zip"
		_, err = export.WriteBundleZip(&b, ev, &export.BundleOptions{Query: "web UI " + r.URL.RequestURI()})
	} else {
		err = f.Write(&b, ev)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	shown(r, len(ev.Members))
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Cluster.ID + ext}))
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}
