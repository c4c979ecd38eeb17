package api

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
)

func TestExplain(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleAdmin], "", fixtures.Sample}, 200, nil)
	a := f.tokens[RoleAnalyst]
	ring := fixtures.SampleRing()
	var ex engine.Explanation
	f.do(t, req{method: "GET", path: "/v1/explain?a=" + url.QueryEscape(ring[0]) + "&b=" + url.QueryEscape(ring[1]), token: a}, 200, &ex)
	if ex.RecordA != ring[0] || ex.RecordB != ring[1] || !ex.SameOperator || len(ex.Fields) == 0 {
		t.Fatalf("explain of two ring records: %+v", ex)
	}
	f.do(t, req{method: "GET", path: "/v1/explain?a=" + url.QueryEscape(ring[0]) + "&b=nope", token: a}, 404, nil)
	f.do(t, req{method: "GET", path: "/v1/explain?a=x", token: a}, 400, nil)
	f.do(t, req{method: "GET", path: "/v1/explain?a=x&b=y", token: f.tokens[RoleIngest]}, 403, nil)
}

func TestLabels(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleAdmin], "", fixtures.Sample}, 200, nil)
	a := f.tokens[RoleAnalyst]
	var rec struct {
		Clusters    map[string]string
		Identifiers []struct{ Kind, Value string }
	}
	f.do(t, req{method: "GET", path: "/v1/records/" + fixtures.SampleRing()[0], token: a}, 200, &rec)
	cluster := rec.Clusters["operator"]
	phone := ""
	for _, id := range rec.Identifiers {
		if id.Kind == "phone" {
			phone = id.Value
		}
	}
	post := func(body string, want int) graph.Label {
		var l graph.Label
		f.do(t, req{"POST", "/v1/labels", a, "application/json", body}, want, &l)
		return l
	}
	got := post(`{"cluster_id":"`+cluster+`","label":"confirmed_ring","note":"same laptop farm"}`, 201)
	if got.By != "analyst-token" || got.At.IsZero() || got.Label != "confirmed_ring" {
		t.Fatalf("stored label %+v", got)
	}
	post(`{"cluster_id":"`+cluster+`","label":"dismissed"}`, 201)
	post(`{"kind":"phone","value":"`+phone+`","label":"benign_hub","note":"call centre"}`, 201)

	for _, tc := range []struct{ name, body string }{
		{"value label on a cluster", `{"cluster_id":"` + cluster + `","label":"benign_hub"}`},
		{"cluster label on a value", `{"kind":"phone","value":"` + phone + `","label":"dismissed"}`},
		{"no target", `{"label":"dismissed"}`},
		{"two targets", `{"cluster_id":"` + cluster + `","kind":"phone","value":"1","label":"dismissed"}`},
		{"unknown field", `{"cluster_id":"` + cluster + `","label":"dismissed","colour":"red"}`},
		{"not json", `label=dismissed`},
	} {
		t.Run(tc.name, func(t *testing.T) { post(tc.body, 400) })
	}
	post(`{"cluster_id":"o-000000000000","label":"dismissed"}`, 404)
	f.do(t, req{"POST", "/v1/labels", f.tokens[RoleIngest], "application/json", `{"cluster_id":"` + cluster + `","label":"dismissed"}`}, 403, nil)

	var list struct{ Labels []graph.Label }
	f.do(t, req{method: "GET", path: "/v1/labels?cluster_id=" + cluster, token: a}, 200, &list)
	if len(list.Labels) != 2 || list.Labels[0].Label != "confirmed_ring" || list.Labels[1].Label != "dismissed" {
		t.Fatalf("cluster history, oldest first: %+v", list.Labels)
	}
	f.do(t, req{method: "GET", path: "/v1/labels?kind=phone&value=" + url.QueryEscape(phone), token: a}, 200, &list)
	if len(list.Labels) != 1 || list.Labels[0].Note != "call centre" || list.Labels[0].Value != phone {
		t.Fatalf("value labels: %+v", list.Labels)
	}
	f.do(t, req{method: "GET", path: "/v1/labels", token: a}, 200, &list)
	if len(list.Labels) != 3 {
		t.Fatalf("all labels: %+v", list.Labels)
	}
	f.do(t, req{method: "GET", path: "/v1/labels?value=x", token: a}, 400, nil)

	// Each label write is in the HTTP audit log, by the token that wrote it.
	n := 0
	for _, e := range f.auditLines(t) {
		if e.Method == "POST" && e.Path == "/v1/labels" && e.Status == 201 {
			n++
			if e.Token != "analyst-token" {
				t.Fatalf("audit entry %+v", e)
			}
		}
	}
	if n != 3 {
		t.Fatalf("%d audited label writes, want 3", n)
	}
}

func TestClustersPaging(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleAdmin], "", fixtures.Sample}, 200, nil)
	a := f.tokens[RoleAnalyst]
	type page struct {
		Clusters []graph.Cluster `json:"clusters"`
		Total    int             `json:"total"`
		Next     string          `json:"next_cursor"`
	}
	var all page
	f.do(t, req{method: "GET", path: "/v1/clusters?level=person&min_size=1&limit=10000", token: a}, 200, &all)
	if len(all.Clusters) < 5 || all.Next != "" || all.Total != len(all.Clusters) {
		t.Fatalf("unpaged list: %d clusters, next %q, total %d", len(all.Clusters), all.Next, all.Total)
	}
	var walked []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > len(all.Clusters) {
			t.Fatal("paging does not end")
		}
		var p page
		path := "/v1/clusters?level=person&min_size=1&limit=2"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		f.do(t, req{method: "GET", path: path, token: a}, 200, &p)
		if len(p.Clusters) > 2 {
			t.Fatalf("page of %d", len(p.Clusters))
		}
		for _, c := range p.Clusters {
			walked = append(walked, c.ID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	var want []string
	for _, c := range all.Clusters {
		want = append(want, c.ID)
	}
	if !slices.Equal(walked, want) {
		t.Fatalf("pages give %v, want %v", walked, want)
	}
	f.do(t, req{method: "GET", path: "/v1/clusters?cursor=garbage", token: a}, 400, nil)

	// The flag filter keeps exactly the clusters carrying the flag.
	var ops page
	f.do(t, req{method: "GET", path: "/v1/clusters?level=operator&min_size=1&limit=10000", token: a}, 200, &ops)
	flag := ""
	for _, c := range ops.Clusters {
		if len(c.Flags) > 0 {
			flag = c.Flags[0]
			break
		}
	}
	if flag == "" {
		t.Fatal("no operator cluster has a flag")
	}
	var flagged page
	f.do(t, req{method: "GET", path: "/v1/clusters?level=operator&min_size=1&flag=" + flag, token: a}, 200, &flagged)
	wantN := 0
	for _, c := range ops.Clusters {
		if slices.Contains(c.Flags, flag) {
			wantN++
		}
	}
	if len(flagged.Clusters) != wantN || wantN == 0 {
		t.Fatalf("flag %s: %d clusters, want %d", flag, len(flagged.Clusters), wantN)
	}
	for _, c := range flagged.Clusters {
		if !slices.Contains(c.Flags, flag) {
			t.Fatalf("cluster %s lacks flag %s: %v", c.ID, flag, c.Flags)
		}
	}
	f.do(t, req{method: "GET", path: "/v1/clusters?flag=" + strings.Repeat("x", 65), token: a}, 400, nil)
}
