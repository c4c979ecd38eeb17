package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/api"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

func TestSignIn(t *testing.T) {
	f := newUIFixture(t, t1Small)
	c := f.client(t)
	if a := f.get(t, c, "/queue"); a.code != http.StatusSeeOther || !strings.HasPrefix(a.location, "/login?next=") {
		t.Fatalf("signed out: %d to %q, want a redirect to /login", a.code, a.location)
	}
	if a := f.post(t, c, "/login", url.Values{"token": {"pg_wrong"}}); a.code != http.StatusUnauthorized || !strings.Contains(a.body, "Unknown or revoked") {
		t.Fatalf("wrong token: %d", a.code)
	}
	if a := f.post(t, c, "/login", url.Values{"token": {f.tokens[api.RoleIngest]}}); a.code != http.StatusUnauthorized {
		t.Fatalf("ingest token signs in: %d", a.code)
	}
	// An off-site next is not followed after sign-in.
	a := f.post(t, c, "/login", url.Values{"token": {f.tokens[api.RoleAnalyst]}, "next": {"//evil.example/"}})
	if a.code != http.StatusSeeOther || a.location != "/" {
		t.Fatalf("sign in: %d to %q", a.code, a.location)
	}
	var cookie *http.Cookie
	u, _ := url.Parse(f.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == cookieName {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	raw := a.header.Get("Set-Cookie")
	if !strings.Contains(raw, "HttpOnly") || !strings.Contains(raw, "SameSite=Strict") {
		t.Fatalf("cookie attributes: %s", raw)
	}
	page := f.get(t, c, "/")
	if page.code != 200 || !strings.Contains(page.body, "Operator clusters by size") || !strings.Contains(page.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("dashboard: %d %s", page.code, page.header)
	}
	// A POST without the CSRF token is refused; with it, sign-out ends the session.
	if a := f.post(t, c, "/logout", nil); a.code != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d", a.code)
	}
	if a := f.post(t, c, "/logout", url.Values{"csrf": {csrf(t, page.body)}}); a.code != http.StatusSeeOther {
		t.Fatalf("logout: %d", a.code)
	}
	if a := f.get(t, c, "/"); a.code != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", a.code)
	}
	// Sign-ins are audited, the failed ones with 401.
	var failed, signedIn int
	for _, e := range readAudit(t, f.audit) {
		if e.Path != "/login" {
			continue
		}
		switch {
		case e.Status == http.StatusUnauthorized:
			failed++
		case e.Status == http.StatusSeeOther && e.Token == "analyst-user":
			signedIn++
		}
	}
	if failed != 2 || signedIn != 1 {
		t.Fatalf("audited sign-ins: %d failed, %d good; want 2 and 1", failed, signedIn)
	}
}

func TestPagesAndLabels(t *testing.T) {
	f := newUIFixture(t, t1Small)
	top := f.topCluster(t)
	analyst := f.client(t)
	f.signIn(t, analyst, api.RoleAnalyst)

	q := f.get(t, analyst, "/queue")
	if q.code != 200 || !strings.Contains(q.body, top.ID) {
		t.Fatalf("queue: %d, top cluster %s missing", q.code, top.ID)
	}
	if a := f.get(t, analyst, "/queue?min_risk=2"); a.code != http.StatusBadRequest {
		t.Fatalf("bad filter: %d", a.code)
	}
	flagged := f.get(t, analyst, "/queue?flag="+url.QueryEscape(top.Flags[0]))
	if flagged.code != 200 || !strings.Contains(flagged.body, top.ID) {
		t.Fatalf("flag filter drops the top cluster: %d", flagged.code)
	}
	// Source and date filters read members: the top cluster's first member's source and
	// day keep it; an unknown source or a day after every record keeps nothing.
	first, err := f.eng.Record(context.Background(), top.Records[0])
	if err != nil {
		t.Fatal(err)
	}
	var src struct{ Source string }
	if err := json.Unmarshal(first.JSON, &src); err != nil {
		t.Fatal(err)
	}
	day := first.ObservedAt.UTC().Format("2006-01-02")
	if a := f.get(t, analyst, "/queue?source="+url.QueryEscape(src.Source)+"&since="+day+"&until="+day); !strings.Contains(a.body, top.ID) {
		t.Fatalf("source %s on %s drops the top cluster: %d", src.Source, day, a.code)
	}
	for _, qs := range []string{"source=no-such-source", "since=2999-01-01"} {
		if a := f.get(t, analyst, "/queue?"+qs); a.code != 200 || !strings.Contains(a.body, "0 clusters match") {
			t.Fatalf("%s: %d, want no clusters", qs, a.code)
		}
	}
	if a := f.get(t, analyst, "/queue?since=yesterday"); a.code != http.StatusBadRequest {
		t.Fatalf("bad date: %d", a.code)
	}
	cp := f.get(t, analyst, "/clusters/"+top.ID)
	for _, want := range []string{`id="cluster-graph"`, `class="persona"`, `id="flags"`, top.Flags[0], `id="members"`, "Exports need the investigator role"} {
		if !strings.Contains(cp.body, want) {
			t.Fatalf("cluster page lacks %q", want)
		}
	}
	token := csrf(t, cp.body)
	if a := f.post(t, analyst, "/clusters/"+top.ID+"/label", url.Values{"label": {"confirmed_ring"}}); a.code != http.StatusForbidden {
		t.Fatalf("label without CSRF: %d", a.code)
	}
	if a := f.post(t, analyst, "/clusters/"+top.ID+"/label", url.Values{"label": {"confirmed_ring"}, "csrf": {token}, "note": {"same payout"}}); a.code != http.StatusSeeOther {
		t.Fatalf("label: %d %s", a.code, a.body)
	}
	if a := f.post(t, analyst, "/clusters/"+top.ID+"/label", url.Values{"label": {"benign_hub"}, "csrf": {token}}); a.code != http.StatusBadRequest {
		t.Fatalf("a value label on a cluster: %d", a.code)
	}
	l, err := f.eng.ClusterLabel(context.Background(), top.ID)
	if err != nil || l == nil || l.Label != "confirmed_ring" || l.By != "analyst-user" || l.Note != "same payout" {
		t.Fatalf("stored label %+v, %v", l, err)
	}
	if cp := f.get(t, analyst, "/clusters/"+top.ID); !strings.Contains(cp.body, `id="cluster-label"`) {
		t.Fatal("cluster page does not show its label")
	}

	// Analysts may not export; investigators may.
	if a := f.get(t, analyst, "/clusters/"+top.ID+"/export?format=json"); a.code != http.StatusForbidden {
		t.Fatalf("analyst export: %d", a.code)
	}
	inv := f.client(t)
	f.signIn(t, inv, api.RoleInvestigator)
	ex := f.get(t, inv, "/clusters/"+top.ID+"/export?format=graphml")
	if ex.code != 200 || !strings.Contains(ex.header.Get("Content-Disposition"), top.ID+".graphml") || !strings.Contains(ex.body, "<graphml") {
		t.Fatalf("investigator export: %d %s", ex.code, ex.header)
	}

	// Record, identifier (with a value label), search and explain pages.
	rid := top.Records[0]
	rp := f.get(t, analyst, "/records/"+url.PathEscape(rid))
	if rp.code != 200 || !strings.Contains(rp.body, rid) {
		t.Fatalf("record page: %d", rp.code)
	}
	rec, err := f.eng.Record(context.Background(), rid)
	if err != nil {
		t.Fatal(err)
	}
	if pc := f.get(t, analyst, "/clusters/"+rec.Clusters[graph.Person]); pc.code != 200 || !strings.Contains(pc.body, `id="cluster-graph"`) {
		t.Fatalf("person cluster page: %d", pc.code)
	}
	if a := f.get(t, analyst, "/clusters/o-000000000000"); a.code != http.StatusNotFound {
		t.Fatalf("unknown cluster: %d", a.code)
	}
	var kind, value string
	for _, id := range rec.Identifiers {
		if id.Kind == "email" || id.Kind == "phone" {
			kind, value = string(id.Kind), id.Value
			break
		}
	}
	ip := f.get(t, analyst, "/identifier?kind="+kind+"&value="+url.QueryEscape(value))
	if ip.code != 200 || !strings.Contains(ip.body, rid) {
		t.Fatalf("identifier page: %d", ip.code)
	}
	if a := f.post(t, analyst, "/identifier/label", url.Values{"kind": {kind}, "value": {value}, "label": {"benign_hub"}, "csrf": {csrf(t, ip.body)}}); a.code != http.StatusSeeOther {
		t.Fatalf("value label: %d %s", a.code, a.body)
	}
	if got, _ := f.eng.ValueLabel(context.Background(), ingest.Kind(kind), value); got != "benign_hub" {
		t.Fatalf("value label %q", got)
	}
	if a := f.get(t, analyst, "/explain?a="+url.QueryEscape(top.Records[0])+"&b="+url.QueryEscape(top.Records[1])); a.code != 200 || !strings.Contains(a.body, `id="fields"`) {
		t.Fatalf("explain: %d", a.code)
	}
	if a := f.get(t, analyst, "/explain?a=nope&b=nada"); a.code != http.StatusNotFound {
		t.Fatalf("explain of unknown records: %d", a.code)
	}
	if a := f.get(t, analyst, "/search?q=a"); a.code != 200 {
		t.Fatalf("search: %d", a.code)
	}

	// Page reads and label writes are in the audit log with the user's token name.
	lines := readAudit(t, f.audit)
	var page, label bool
	for _, e := range lines {
		if e.Token == "analyst-user" && e.Path == "/clusters/"+top.ID && e.Records == top.Size {
			page = true
		}
		if e.Method == "POST" && e.Path == "/clusters/"+top.ID+"/label" && e.Status == http.StatusSeeOther {
			label = true
		}
	}
	if !page || !label {
		t.Fatalf("audit log lacks the cluster page (%v) or the label (%v): %d lines", page, label, len(lines))
	}
}
