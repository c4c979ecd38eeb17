package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// fixture is a real listening server over a real engine and store in a temp dir, with
// one token per role and an audit log file.
type fixture struct {
	srv    *httptest.Server
	api    *Server
	tokens map[Role]string
	audit  string
}

func newFixture(t *testing.T, tweak func(*Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := graph.Open(filepath.Join(dir, "data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ring := &Keyring{}
	f := &fixture{tokens: map[Role]string{}, audit: filepath.Join(dir, "audit.ndjson")}
	for _, r := range Roles() {
		tok, err := ring.Add(string(r)+"-token", r, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[r] = tok
	}
	af, err := OpenAuditFile(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { af.Close() })
	opts := &Options{Auth: ring, Audit: af, MaxBodyBytes: 64 << 10, DataDir: filepath.Join(dir, "data"), RateLimit: -1}
	if tweak != nil {
		tweak(opts)
	}
	f.api = NewServer(engine.New(st, nil), opts)
	f.srv = httptest.NewServer(f.api)
	t.Cleanup(f.srv.Close)
	return f
}

// req is one HTTP call; token "" sends no Authorization header.
type req struct {
	method, path, token, ctype, body string
}

// do sends rq, fails the test unless the status is want, decodes the body into out when
// out is not nil, and returns the response (body already read and closed).
func (f *fixture) do(t *testing.T, rq req, want int, out any) (*http.Response, []byte) {
	t.Helper()
	hr, err := http.NewRequest(rq.method, f.srv.URL+rq.path, strings.NewReader(rq.body))
	if err != nil {
		t.Fatal(err)
	}
	if rq.ctype == "" {
		rq.ctype = "application/x-ndjson"
	}
	hr.Header.Set("Content-Type", rq.ctype)
	if rq.token != "" {
		hr.Header.Set("Authorization", "Bearer "+rq.token)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", rq.method, rq.path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", rq.method, rq.path, err, b)
		}
	}
	return resp, b
}

// auditLines reads the audit log.
func (f *fixture) auditLines(t *testing.T) []AuditEntry {
	t.Helper()
	fh, err := os.Open(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []AuditEntry
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		var e AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func sampleLines() []string { return strings.Split(strings.TrimSpace(fixtures.Sample), "\n") }

func TestRecordsClustersSearch(t *testing.T) {
	f := newFixture(t, nil)
	admin := f.tokens[RoleAdmin]
	f.do(t, req{method: "GET", path: "/healthz"}, 200, nil)

	lines := sampleLines()
	body := strings.Join(lines[:2], "\n") + "\n{\"record_id\":\"x\",\"source\":\"s\"}\n" + strings.Join(lines[2:], "\n")
	var post struct {
		Accepted int `json:"accepted"`
		Rejected []struct {
			Line  int64  `json:"line"`
			Field string `json:"field"`
			Error string `json:"error"`
		} `json:"rejected"`
	}
	f.do(t, req{"POST", "/v1/records", admin, "", body}, 200, &post)
	if post.Accepted != len(lines) || len(post.Rejected) != 1 || post.Rejected[0].Line != 3 || post.Rejected[0].Field != "observed_at" {
		t.Fatalf("post: %+v", post)
	}

	var rec struct {
		RecordID string            `json:"record_id"`
		Version  int               `json:"version"`
		Clusters map[string]string `json:"clusters"`
	}
	f.do(t, req{method: "GET", path: "/v1/records/upwork:app:3002", token: admin}, 200, &rec)
	if rec.RecordID != "upwork:app:3002" || rec.Version != 1 || rec.Clusters["operator"] == "" {
		t.Fatalf("record: %+v", rec)
	}
	f.do(t, req{method: "GET", path: "/v1/records/nope", token: admin}, 404, nil)

	var list struct {
		Clusters []graph.Cluster `json:"clusters"`
	}
	f.do(t, req{method: "GET", path: "/v1/clusters?level=operator&min_risk=0.5", token: admin}, 200, &list)
	if len(list.Clusters) != 1 || list.Clusters[0].ID != rec.Clusters["operator"] || list.Clusters[0].Size != len(fixtures.SampleRing()) {
		t.Fatalf("risky operator clusters: %+v", list.Clusters)
	}
	var c graph.Cluster
	f.do(t, req{method: "GET", path: "/v1/clusters/" + rec.Clusters["operator"], token: admin}, 200, &c)
	if len(c.Evidence) == 0 || c.Level != "operator" {
		t.Fatalf("cluster page: %+v", c)
	}
	f.do(t, req{method: "GET", path: "/v1/clusters/o-000000000000", token: admin}, 404, nil)

	var hits struct {
		Hits []graph.Hit `json:"hits"`
	}
	f.do(t, req{method: "GET", path: "/v1/search?q=brian+lee", token: admin}, 200, &hits)
	if len(hits.Hits) == 0 || hits.Hits[0].RecordID != "upwork:app:3002" {
		t.Fatalf("search: %+v", hits)
	}

	// A body over the limit: 413, and what came before the limit is kept.
	big := strings.Repeat(lines[0]+"\n", 200)
	f.do(t, req{"POST", "/v1/records", admin, "", big}, 413, nil)
	f.do(t, req{"POST", "/v1/check", admin, "application/json", `{"record_id":"big","source":"s","observed_at":"2026-01-01T00:00:00Z","cv_text":"` + strings.Repeat("x", 70<<10) + `"}`}, 413, nil)
	f.do(t, req{method: "GET", path: "/v1/records/big", token: admin}, 404, nil)
}

func TestAuthRoles(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleAdmin], "", fixtures.Sample}, 200, nil)
	read := "/v1/clusters?level=person"
	cases := []struct {
		name   string
		method string
		path   string
		token  string
		want   int
	}{
		{"healthz needs no token", "GET", "/healthz", "", 200},
		{"openapi needs no token", "GET", "/v1/openapi.json", "", 200},
		{"no token", "GET", read, "", 401},
		{"unknown token", "GET", read, TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401},
		{"not a pg token", "GET", read, "hunter2", 401},
		{"ingest may not read", "GET", read, f.tokens[RoleIngest], 403},
		{"ingest may not read a record", "GET", "/v1/records/upwork:app:3001", f.tokens[RoleIngest], 403},
		{"analyst reads", "GET", read, f.tokens[RoleAnalyst], 200},
		{"investigator reads", "GET", "/v1/records/upwork:app:3001", f.tokens[RoleInvestigator], 200},
		{"admin reads", "GET", "/v1/search?q=kevin", f.tokens[RoleAdmin], 200},
		{"analyst may not ingest", "POST", "/v1/records", f.tokens[RoleAnalyst], 403},
		{"investigator may not check", "POST", "/v1/check", f.tokens[RoleInvestigator], 403},
		{"ingest ingests", "POST", "/v1/records", f.tokens[RoleIngest], 200},
		{"metrics with any token", "GET", "/metrics", f.tokens[RoleIngest], 200},
		{"metrics without one", "GET", "/metrics", "", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == "POST" {
				body = sampleLines()[0]
			}
			resp, _ := f.do(t, req{tc.method, tc.path, tc.token, "", body}, tc.want, nil)
			if got := resp.Header.Get("WWW-Authenticate"); (tc.want == 401) != strings.HasPrefix(got, "Bearer ") {
				t.Fatalf("WWW-Authenticate %q with status %d", got, tc.want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.RateLimit, o.RateBurst = 0.5, 3 })
	a := f.tokens[RoleAnalyst]
	for range 3 {
		f.do(t, req{method: "GET", path: "/v1/clusters", token: a}, 200, nil)
	}
	resp, _ := f.do(t, req{method: "GET", path: "/v1/clusters", token: a}, 429, nil)
	if ra := resp.Header.Get("Retry-After"); ra != "2" {
		t.Fatalf("Retry-After %q, want 2 (one request per 2 s)", ra)
	}
	// The bucket is per token: another token is unaffected.
	f.do(t, req{method: "GET", path: "/v1/clusters", token: f.tokens[RoleInvestigator]}, 200, nil)
	// Unauthenticated requests are refused before they can spend anyone's bucket.
	f.do(t, req{method: "GET", path: "/v1/clusters"}, 401, nil)
}

func TestAuditLog(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleIngest], "", fixtures.Sample}, 200, nil)
	f.do(t, req{method: "GET", path: "/v1/records/upwork:app:3001", token: f.tokens[RoleAnalyst]}, 200, nil)
	var list struct{ Clusters []graph.Cluster }
	f.do(t, req{method: "GET", path: "/v1/clusters?min_size=2", token: f.tokens[RoleInvestigator]}, 200, &list)
	f.do(t, req{method: "GET", path: "/v1/search?q=kevin", token: f.tokens[RoleIngest]}, 403, nil)
	f.do(t, req{method: "GET", path: "/v1/records/upwork:app:3001"}, 401, nil)
	f.do(t, req{method: "GET", path: "/healthz"}, 200, nil)

	inClusters := 0
	for _, c := range list.Clusters {
		inClusters += len(c.Records)
	}
	want := []AuditEntry{
		{Token: "analyst-token", Role: RoleAnalyst, Method: "GET", Path: "/v1/records/upwork:app:3001", Status: 200, Records: 1},
		{Token: "investigator-token", Role: RoleInvestigator, Method: "GET", Path: "/v1/clusters", Query: "min_size=2", Status: 200, Records: inClusters},
		{Token: "ingest-token", Role: RoleIngest, Method: "GET", Path: "/v1/search", Query: "q=kevin", Status: 403},
		{Method: "GET", Path: "/v1/records/upwork:app:3001", Status: 401},
	}
	got := f.auditLines(t)
	if len(got) != len(want) {
		t.Fatalf("audit has %d lines, want %d (ingest and healthz are not reads): %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Time.IsZero() || g.Remote == "" {
			t.Fatalf("line %d lacks time or remote: %+v", i, g)
		}
		g.Time, g.Remote = w.Time, w.Remote
		if g != w {
			t.Fatalf("line %d = %+v, want %+v", i, g, w)
		}
	}
	if inClusters < 2 {
		t.Fatalf("cluster list returned %d records", inClusters)
	}
	fi, err := os.Stat(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("audit file mode %v", fi.Mode().Perm())
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, nil)
	body := fixtures.Sample + `{"record_id":"bad","source":"s"}` + "\n"
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleIngest], "", body}, 200, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleIngest], "", sampleLines()[0]}, 200, nil)
	f.do(t, req{method: "GET", path: "/v1/records/upwork:app:3001", token: f.tokens[RoleAnalyst]}, 200, nil)
	var ops struct{ Clusters []graph.Cluster }
	f.do(t, req{method: "GET", path: "/v1/clusters?level=operator&min_size=2&limit=10000", token: f.tokens[RoleAnalyst]}, 200, &ops)
	_, b := f.do(t, req{method: "GET", path: "/metrics", token: f.tokens[RoleAdmin]}, 200, nil)
	text := string(b)
	for _, want := range []string{
		`personagraph_records_ingested_total{result="new"} 12`,
		`personagraph_records_ingested_total{result="unchanged"} 1`,
		`personagraph_records_rejected_total 1`,
		`personagraph_http_request_duration_seconds_bucket{route="GET /v1/records/{id}",le="+Inf"} 1`,
		`personagraph_http_requests_total{code="200",route="POST /v1/records"} 2`,
		fmt.Sprintf(`personagraph_clusters{level="operator"} %d`, len(ops.Clusters)),
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The store's disk use: more than nothing, less than Badger's sparse 2 GiB vlog.
	m := regexp.MustCompile(`(?m)^personagraph_store_bytes (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("metrics lack personagraph_store_bytes")
	}
	if n, err := strconv.ParseFloat(m[1], 64); err != nil || n <= 0 || n > 1<<30 {
		t.Fatalf("personagraph_store_bytes %s", m[1])
	}
	if t.Failed() {
		t.Log(text)
	}
}

func TestCheck(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.tokens[RoleIngest]
	var late string
	var rest []string
	for _, l := range sampleLines() {
		if strings.Contains(l, `"greenhouse:app:3005"`) {
			late = l
		} else {
			rest = append(rest, l)
		}
	}
	if late == "" {
		t.Fatal("sample lacks greenhouse:app:3005")
	}
	f.do(t, req{"POST", "/v1/records", tok, "", strings.Join(rest, "\n")}, 200, nil)

	var res engine.CheckResult
	f.do(t, req{"POST", "/v1/check", tok, "application/json", late}, 200, &res)
	var member struct{ Clusters map[string]string }
	f.do(t, req{method: "GET", path: "/v1/records/upwork:app:3001", token: f.tokens[RoleAnalyst]}, 200, &member)
	if res.RecordID != "greenhouse:app:3005" || res.Result != "new" || res.OperatorCluster != member.Clusters["operator"] ||
		res.PersonCluster == "" || res.OperatorSize != len(fixtures.SampleRing()) || res.Risk < 0.5 || len(res.Flags) == 0 {
		t.Fatalf("check = %+v; ring member's clusters %v", res, member.Clusters)
	}
	f.do(t, req{"POST", "/v1/check", tok, "application/json", late}, 200, &res)
	if res.Result != "unchanged" || res.OperatorCluster != member.Clusters["operator"] {
		t.Fatalf("second check = %+v", res)
	}

	bad := []struct {
		name, body, field string
	}{
		{"missing observed_at", `{"record_id":"c1","source":"s"}`, "observed_at"},
		{"wrong type", `{"record_id":"c1","source":"s","observed_at":"2026-01-01T00:00:00Z","emails":"a@b.c"}`, "emails"},
		{"not JSON", `{"record_id":`, ""},
		{"two records", `{"record_id":"c1","source":"s","observed_at":"2026-01-01T00:00:00Z"}` + "\n" + `{"record_id":"c2"}`, ""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var e struct {
				Line  int64
				Field string
				Error string
			}
			f.do(t, req{"POST", "/v1/check", tok, "application/json", tc.body}, 400, &e)
			if e.Line != 1 || e.Field != tc.field || e.Error == "" {
				t.Fatalf("400 body %+v, want line 1 field %q", e, tc.field)
			}
			f.do(t, req{method: "GET", path: "/v1/records/c1", token: f.tokens[RoleAdmin]}, 404, nil)
		})
	}
}

func TestIdentifiers(t *testing.T) {
	f := newFixture(t, nil)
	f.do(t, req{"POST", "/v1/records", f.tokens[RoleAdmin], "", fixtures.Sample}, 200, nil)
	a := f.tokens[RoleAnalyst]
	var rec struct {
		Clusters    map[string]string
		Identifiers []struct{ Kind, Value string }
	}
	f.do(t, req{method: "GET", path: "/v1/records/upwork:app:3001", token: a}, 200, &rec)
	phone := ""
	for _, id := range rec.Identifiers {
		if id.Kind == "phone" {
			phone = id.Value
		}
	}
	if phone == "" {
		t.Fatalf("record has no phone identifier: %+v", rec.Identifiers)
	}
	var got struct {
		Kind, Value string
		Count       int
		Holders     []holder
		Stats       graph.IdentifierStats
	}
	f.do(t, req{method: "GET", path: "/v1/identifiers/phone/" + pathEscape(phone), token: a}, 200, &got)
	if got.Kind != "phone" || got.Value != phone || got.Count < 2 || len(got.Holders) != got.Count {
		t.Fatalf("holders of %s: %+v", phone, got)
	}
	// The statistics cover every holder: names and sources as the holders' records give
	// them, first and last seen their earliest and latest observed_at.
	names, sources := map[string]bool{}, map[string]bool{}
	var first, last time.Time
	for _, h := range got.Holders {
		var r struct{ Record ingest.Record }
		f.do(t, req{method: "GET", path: "/v1/records/" + pathEscape(h.RecordID), token: a}, 200, &r)
		names[ingest.FoldName(r.Record.Name.Display())] = true
		sources[r.Record.Source] = true
		at, err := time.Parse(time.RFC3339, r.Record.ObservedAt)
		if err != nil {
			t.Fatal(err)
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	if names[""] || sources[""] {
		t.Fatalf("a holder's record has no name or source: %v %v", names, sources)
	}
	if st := got.Stats; st.Holders != got.Count || st.Described != got.Count || st.Names != len(names) ||
		st.Sources != len(sources) || !st.FirstSeen.Equal(first) || !st.LastSeen.Equal(last) {
		t.Fatalf("stats of %s: %+v; want %d names, %d sources, first %s, last %s", phone, got.Stats, len(names), len(sources), first, last)
	}
	seen := false
	for _, h := range got.Holders {
		if h.RecordID == "upwork:app:3001" {
			seen = true
			if h.Clusters["operator"] != rec.Clusters["operator"] || h.Clusters["person"] != rec.Clusters["person"] {
				t.Fatalf("holder clusters %v, record's %v", h.Clusters, rec.Clusters)
			}
		}
	}
	if !seen {
		t.Fatalf("upwork:app:3001 not among the holders: %+v", got.Holders)
	}
	f.do(t, req{method: "GET", path: "/v1/identifiers/phone/" + pathEscape(phone) + "?limit=1", token: a}, 200, &got)
	if len(got.Holders) != 1 || got.Count < 2 {
		t.Fatalf("limit=1: %+v", got)
	}
	// A value nobody holds, with a slash in it (percent-encoded).
	f.do(t, req{method: "GET", path: "/v1/identifiers/profile/linkedin.com%2Fin%2Fnobody", token: a}, 200, &got)
	if got.Count != 0 || len(got.Holders) != 0 || got.Value != "linkedin.com/in/nobody" {
		t.Fatalf("unheld value: %+v", got)
	}
	f.do(t, req{method: "GET", path: "/v1/identifiers/shoe_size/42", token: a}, 400, nil)
}

func pathEscape(s string) string {
	return strings.NewReplacer("%", "%25", "/", "%2F", "?", "%3F", "#", "%23", " ", "%20", "+", "%2B").Replace(s)
}

func TestJSONArrayIngest(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.tokens[RoleIngest]
	lines := sampleLines()
	type result struct {
		Accepted int
		New      int
		Line     int64
		Error    string
		Rejected []reject
	}
	t.Run("good and bad elements", func(t *testing.T) {
		elems := []string{lines[0], `{"record_id":"a2","source":"s","observed_at":"yesterday"}`, lines[1], `17`, lines[2]}
		var r result
		f.do(t, req{"POST", "/v1/records", tok, "application/json; charset=utf-8", "[\n" + strings.Join(elems, ",\n") + "\n]"}, 200, &r)
		if r.Accepted != 3 || r.New != 3 || len(r.Rejected) != 2 ||
			r.Rejected[0].Line != 2 || r.Rejected[0].Field != "observed_at" || r.Rejected[0].RecordID != "a2" || r.Rejected[1].Line != 4 {
			t.Fatalf("answer %+v", r)
		}
	})
	t.Run("empty array", func(t *testing.T) {
		var r result
		f.do(t, req{"POST", "/v1/records", tok, "application/json", " [ ] "}, 200, &r)
		if r.Accepted != 0 || len(r.Rejected) != 0 {
			t.Fatalf("answer %+v", r)
		}
	})
	bad := []struct {
		name     string
		body     string
		line     int64
		accepted int
	}{
		{"not an array", lines[3], 0, 0},
		{"broken element", "[" + lines[3] + ",{\"record_id\": ,", 2, 1},
		{"truncated", "[" + lines[4] + "," + lines[5][:40], 2, 1},
		{"missing comma", "[" + lines[6] + " " + lines[7] + "]", 2, 1},
		{"trailing data", "[" + lines[8] + "] []", 2, 1},
		{"empty body", "", 0, 0},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var r result
			f.do(t, req{"POST", "/v1/records", tok, "application/json", tc.body}, 400, &r)
			if r.Line != tc.line || r.Accepted != tc.accepted || r.Error == "" {
				t.Fatalf("answer %+v, want line %d accepted %d", r, tc.line, tc.accepted)
			}
		})
	}
	f.do(t, req{"POST", "/v1/records", tok, "application/xml", "<records/>"}, 415, nil)
	big := "[" + strings.Repeat(lines[0]+",", 200) + lines[0] + "]"
	f.do(t, req{"POST", "/v1/records", tok, "application/json", big}, 413, nil)
}

func TestOpenAPIValidation(t *testing.T) {
	f := newFixture(t, nil)
	a := f.tokens[RoleAnalyst]
	cases := []struct {
		name, path, param string
	}{
		{"limit not a number", "/v1/clusters?limit=ten", "limit"},
		{"limit negative", "/v1/clusters?limit=-1", "limit"},
		{"min_risk above 1", "/v1/clusters?min_risk=1.5", "min_risk"},
		{"unknown level", "/v1/clusters?level=galaxy", "level"},
		{"search without q", "/v1/search", "q"},
		{"search limit 0", "/v1/search?q=x&limit=0", "limit"},
		{"cluster id shape", "/v1/clusters/not!an!id", "id"},
		{"identifier kind", "/v1/identifiers/shoe_size/42", "kind"},
		{"identifier limit", "/v1/identifiers/phone/1?limit=5000", "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e struct{ Error, Parameter string }
			f.do(t, req{method: "GET", path: tc.path, token: a}, 400, &e)
			if e.Parameter != tc.param || !strings.Contains(e.Error, tc.param) {
				t.Fatalf("400 body %+v, want parameter %q", e, tc.param)
			}
		})
	}
	// Valid parameters pass.
	f.do(t, req{method: "GET", path: "/v1/clusters?level=person&min_size=1&min_risk=0&limit=5", token: a}, 200, nil)

	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	f.do(t, req{method: "GET", path: "/v1/openapi.json"}, 200, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
}

// TestOpenAPICoversRoutes holds the document and the routes to each other: every route
// has an operation and every operation a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	s := NewServer(nil, nil)
	ops := map[string]bool{}
	for k := range s.val.ops {
		ops[k] = true
	}
	for _, p := range s.routes {
		if !ops[p] {
			t.Errorf("route %q has no operation in openapi.json", p)
		}
		delete(ops, p)
	}
	for k := range ops {
		t.Errorf("openapi.json operation %q has no route", k)
	}
}

func TestNoAuthConfigured(t *testing.T) {
	st, err := graph.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		name     string
		insecure bool
		want     int
	}{{"fails closed", false, 401}, {"insecure opt-in", true, 200}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(NewServer(engine.New(st, nil), &Options{InsecureNoAuth: tc.insecure}))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/v1/clusters")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:7474", true}, {"localhost:80", true}, {"[::1]:7474", true}, {"127.9.9.9:1", true},
		{":7474", false}, {"0.0.0.0:7474", false}, {"[::]:7474", false}, {"192.0.2.1:7474", false}, {"example.com:80", false},
	} {
		if got := IsLoopback(tc.addr); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v", tc.addr, got)
		}
	}
}
