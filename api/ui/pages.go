package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/personagraph/personagraph/api"
	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// queuePageSize is how many clusters a queue page lists.
const queuePageSize = 50

// clusterLabels returns the label in force on every labelled cluster. ForEachLabel
// yields each target's history oldest first, so the last one seen wins.
func (h *Handler) clusterLabels(r *http.Request) (map[string]*graph.Label, error) {
	ls, err := h.eng.Labels(r.Context(), graph.LabelQuery{OnlyClusters: true})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*graph.Label, len(ls))
	for _, l := range ls {
		out[l.ClusterID] = l
	}
	return out, nil
}

type dashboardView struct {
	Operators, Persons, Records int
	Risky                       int // operator clusters with risk >= 0.5
	Confirmed, Dismissed        int
	SizeChart, RiskChart        chart
	Top                         []queueRow
}

// dashboard shows counts, the size and risk distributions of operator clusters, and the
// five riskiest clusters.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ops, err := h.eng.Clusters(r.Context(), graph.Operator, engine.ClusterFilter{MinSize: 2})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	persons, err := h.eng.Clusters(r.Context(), graph.Person, engine.ClusterFilter{MinSize: 2})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	labels, err := h.clusterLabels(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := dashboardView{Operators: len(ops), Persons: len(persons)}
	sizes := make([]float64, len(ops))
	risks := make([]float64, len(ops))
	for i, c := range ops {
		sizes[i], risks[i] = float64(c.Size), c.Risk
		v.Records += c.Size
		if c.Risk >= 0.5 {
			v.Risky++
		}
	}
	for _, l := range labels {
		switch l.Label {
		case engine.LabelConfirmedRing:
			v.Confirmed++
		case engine.LabelDismissed:
			v.Dismissed++
		}
	}
	v.SizeChart = histogram("Operator clusters by size (records)", sizeBins(), sizes)
	v.RiskChart = histogram("Operator clusters by risk", riskBins(), risks)
	for i, c := range ops[:min(5, len(ops))] {
		v.Top = append(v.Top, newQueueRow(i+1, c, labels[c.ID]))
	}
	h.render(w, r, http.StatusOK, "dashboard", view{Title: "Dashboard", Nav: "dashboard", Data: v})
}

// queueRow is one cluster in the queue.
type queueRow struct {
	Rank     int
	ID       string
	Level    string
	Size     int
	Risk     float64
	RiskPct  int
	RiskW    float64 // width of the risk bar, of 70
	RiskBand string  // low, medium, high: the colour of the risk bar
	Flags    []string
	Label    *graph.Label
}

func newQueueRow(rank int, c *graph.Cluster, l *graph.Label) queueRow {
	return queueRow{Rank: rank, ID: c.ID, Level: c.Level, Size: c.Size, Risk: c.Risk, RiskPct: int(c.Risk*100 + 0.5),
		RiskW: round1(70 * c.Risk), RiskBand: riskBand(c.Risk), Flags: c.Flags, Label: l}
}

func riskBand(risk float64) string {
	switch {
	case risk >= 0.7:
		return "high"
	case risk >= 0.4:
		return "medium"
	}
	return "low"
}

type queueView struct {
	Level, Flag, MinSize, MinRisk, LabelFilter string
	Source, Since, Until                       string
	Flags                                      []string // every flag in the filtered set, for the select
	Rows                                       []queueRow
	Total                                      int
	Next, First                                string // query strings of the next and first pages
	Paged                                      bool
}

// queue lists clusters riskiest first with filters and cursor paging (api.PageClusters,
// as GET /v1/clusters does).
func (h *Handler) queue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := queueView{Level: q.Get("level"), Flag: q.Get("flag"), MinSize: q.Get("min_size"), MinRisk: q.Get("min_risk"), LabelFilter: q.Get("label"),
		Source: strings.TrimSpace(q.Get("source")), Since: q.Get("since"), Until: q.Get("until")}
	if v.Level == "" {
		v.Level = "operator"
	}
	l, err := graph.ParseLevel(v.Level)
	if err != nil {
		h.fail(w, r, fmt.Errorf("%w: level: %v", errBadInput, err))
		return
	}
	f := engine.ClusterFilter{MinSize: 2}
	if v.MinSize != "" {
		if f.MinSize, err = strconv.Atoi(v.MinSize); err != nil || f.MinSize < 0 {
			h.fail(w, r, fmt.Errorf("%w: min size: want a whole number", errBadInput))
			return
		}
	}
	if v.MinRisk != "" {
		if f.MinRisk, err = strconv.ParseFloat(v.MinRisk, 64); err != nil || f.MinRisk < 0 || f.MinRisk > 1 {
			h.fail(w, r, fmt.Errorf("%w: min risk: want a number from 0 to 1", errBadInput))
			return
		}
	}
	cs, err := h.eng.Clusters(r.Context(), l, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	labels, err := h.clusterLabels(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	flags := map[string]bool{}
	for _, c := range cs {
		for _, fl := range c.Flags {
			flags[fl] = true
		}
	}
	for fl := range flags {
		v.Flags = append(v.Flags, fl)
	}
	slices.Sort(v.Flags)
	cs = slices.DeleteFunc(cs, func(c *graph.Cluster) bool {
		if v.Flag != "" && !api.ClusterHasFlags(c, []string{v.Flag}) {
			return true
		}
		lab := labels[c.ID]
		switch v.LabelFilter {
		case "unlabelled":
			return lab != nil
		case engine.LabelConfirmedRing, engine.LabelDismissed:
			return lab == nil || lab.Label != v.LabelFilter
		}
		return false
	})
	if v.Source != "" || v.Since != "" || v.Until != "" {
		mf, err := newMemberFilter(v.Source, v.Since, v.Until)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if cs, err = h.filterMembers(r, cs, mf); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	v.Total = len(cs)
	cursor := q.Get("cursor")
	page, err := api.PageClusters(cs, cursor, queuePageSize)
	if err != nil {
		h.fail(w, r, fmt.Errorf("%w: %v", errBadInput, err))
		return
	}
	rank := 1
	if len(page.Clusters) > 0 {
		rank = slices.Index(cs, page.Clusters[0]) + 1
	}
	n := 0
	for i, c := range page.Clusters {
		v.Rows = append(v.Rows, newQueueRow(rank+i, c, labels[c.ID]))
		n += c.Size
	}
	keep := func(cur string) string {
		q2 := r.URL.Query()
		q2.Del("cursor")
		if cur != "" {
			q2.Set("cursor", cur)
		}
		return q2.Encode()
	}
	if page.Next != "" {
		v.Next = keep(page.Next)
	}
	v.Paged = cursor != ""
	v.First = keep("")
	shown(r, n)
	h.render(w, r, http.StatusOK, "queue", view{Title: "Cluster queue", Nav: "queue", Data: v})
}

// recordView is a persona (record) page.
type recordView struct {
	ID, Name, Source, Event, PersonaID, Observed string
	Version                                      int
	PersonCluster, OperatorCluster               string
	Identifiers                                  []identRow
	JSON                                         string
}

type identRow struct {
	Kind, Value, Raw string
	Valid            bool
	Flags            []string
	Holders          int // other records holding the value; -1 when not looked up
	Label            string
}

// noPostings are the kinds the store keeps no postings for, so "who else" has no answer.
func noPostings(kind ingest.Kind) bool {
	return kind == ingest.KindNameKey || kind == ingest.KindDOB || kind == ingest.KindCVShingleBand
}

func (h *Handler) record(w http.ResponseWriter, r *http.Request) {
	rec, err := h.eng.Record(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var parsed ingest.Record
	_ = json.Unmarshal(rec.JSON, &parsed) // stored JSON passed ingest once; the page still shows it raw
	v := recordView{ID: rec.ID, Version: rec.Version, Observed: rec.ObservedAt.UTC().Format("2006-01-02 15:04Z"),
		Name: parsed.Name.Display(), Source: parsed.Source, Event: parsed.Event, PersonaID: parsed.PersonaID,
		PersonCluster: rec.Clusters[graph.Person], OperatorCluster: rec.Clusters[graph.Operator]}
	var pretty bytes.Buffer
	if json.Indent(&pretty, rec.JSON, "", "  ") == nil {
		v.JSON = pretty.String()
	}
	for _, id := range rec.Identifiers {
		if id.Kind == ingest.KindCVShingleBand {
			continue
		}
		row := identRow{Kind: string(id.Kind), Value: id.Value, Raw: id.Raw, Valid: id.Valid, Flags: id.Flags, Holders: -1}
		if !noPostings(id.Kind) {
			hs, err := h.eng.Holders(r.Context(), id.Kind, id.Value)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			row.Holders = len(hs) - 1
			if row.Label, err = h.eng.ValueLabel(r.Context(), id.Kind, id.Value); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		v.Identifiers = append(v.Identifiers, row)
	}
	shown(r, 1)
	h.render(w, r, http.StatusOK, "record", view{Title: "Record " + rec.ID, Data: v})
}

// identifierView is "who else uses this value".
type identifierView struct {
	Kind, Value string
	Holders     []holderRow
	Count       int // every holder; Holders lists at most maxHolders
	Label       string
	History     []*graph.Label
	Kinds       []string
	NoPostings  bool
}

type holderRow struct {
	ID, Name, Source, Observed, Person, Operator string
}

// maxHolders bounds the holders an identifier page lists: a benign hub can have
// thousands, and the count says enough.
const maxHolders = 500

func (h *Handler) identifier(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := identifierView{Kind: q.Get("kind"), Value: q.Get("value"), Kinds: identifierKinds()}
	if v.Kind == "" || v.Value == "" {
		h.render(w, r, http.StatusOK, "identifier", view{Title: "Identifier", Nav: "identifier", Data: v})
		return
	}
	if !slices.Contains(v.Kinds, v.Kind) {
		h.fail(w, r, fmt.Errorf("%w: unknown identifier kind %q", errBadInput, v.Kind))
		return
	}
	kind := ingest.Kind(v.Kind)
	v.NoPostings = noPostings(kind)
	ids, err := h.eng.Holders(r.Context(), kind, v.Value)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Count = len(ids)
	for _, id := range ids[:min(len(ids), maxHolders)] {
		rec, err := h.eng.Record(r.Context(), id)
		if errors.Is(err, graph.ErrNotFound) {
			continue // replaced between the two reads
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var parsed ingest.Record
		_ = json.Unmarshal(rec.JSON, &parsed)
		v.Holders = append(v.Holders, holderRow{ID: rec.ID, Name: parsed.Name.Display(), Source: parsed.Source,
			Observed: rec.ObservedAt.UTC().Format("2006-01-02"), Person: rec.Clusters[graph.Person], Operator: rec.Clusters[graph.Operator]})
	}
	if v.History, err = h.eng.Labels(r.Context(), graph.LabelQuery{Kind: v.Kind, Value: v.Value}); err != nil {
		h.fail(w, r, err)
		return
	}
	if n := len(v.History); n > 0 {
		v.Label = v.History[n-1].Label
	}
	shown(r, len(v.Holders))
	h.render(w, r, http.StatusOK, "identifier", view{Title: v.Kind + " " + v.Value, Nav: "identifier", Data: v})
}

// identifierKinds are the kinds the identifier page accepts.
func identifierKinds() []string {
	return []string{"email", "phone", "address", "postcode", "payment", "device", "ip", "ip_prefix", "profile", "username", "document", "photo"}
}

// labelValue stores a value label from the identifier or cluster page, then goes back.
func (h *Handler) labelValue(w http.ResponseWriter, r *http.Request) {
	l := &graph.Label{Kind: r.PostFormValue("kind"), Value: r.PostFormValue("value"), Label: r.PostFormValue("label"),
		Note: r.PostFormValue("note"), By: sessionOf(r).who.Name}
	if err := h.eng.Label(r.Context(), l); err != nil {
		h.fail(w, r, err)
		return
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = "/identifier?kind=" + queryEscape(l.Kind) + "&value=" + queryEscape(l.Value)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type searchView struct {
	Q    string
	Hits []holderRow
}

// searchLimit is how many hits the search page shows.
const searchLimit = 50

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	v := searchView{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	if v.Q != "" {
		hits, err := h.eng.Search(r.Context(), v.Q, searchLimit)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, hit := range hits {
			rec, err := h.eng.Record(r.Context(), hit.RecordID)
			if errors.Is(err, graph.ErrNotFound) {
				continue
			}
			if err != nil {
				h.fail(w, r, err)
				return
			}
			var parsed ingest.Record
			_ = json.Unmarshal(rec.JSON, &parsed)
			v.Hits = append(v.Hits, holderRow{ID: rec.ID, Name: parsed.Name.Display(), Source: parsed.Source,
				Observed: rec.ObservedAt.UTC().Format("2006-01-02"), Person: rec.Clusters[graph.Person], Operator: rec.Clusters[graph.Operator]})
		}
		shown(r, len(v.Hits))
	}
	h.render(w, r, http.StatusOK, "search", view{Title: "Search", Nav: "search", Data: v})
}

type explainView struct {
	A, B string
	Ex   *engine.Explanation
}

func (h *Handler) explain(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := explainView{A: strings.TrimSpace(q.Get("a")), B: strings.TrimSpace(q.Get("b"))}
	if v.A != "" && v.B != "" {
		ex, err := h.eng.Explain(r.Context(), v.A, v.B)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		v.Ex = ex
		shown(r, 2)
	}
	h.render(w, r, http.StatusOK, "explain", view{Title: "Explain", Nav: "explain", Data: v})
}
