package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
)

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, err := graph.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(NewServer(engine.New(st, nil), &Options{MaxBodyBytes: 64 << 10}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, method, url, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
}

func TestRecordsClustersSearch(t *testing.T) {
	srv := newTestServer(t)
	do(t, "GET", srv.URL+"/healthz", "", 200, nil)

	lines := strings.Split(strings.TrimSpace(fixtures.Sample), "\n")
	body := strings.Join(lines[:2], "\n") + "\n{\"record_id\":\"x\",\"source\":\"s\"}\n" + strings.Join(lines[2:], "\n")
	var post struct {
		Accepted int `json:"accepted"`
		Rejected []struct {
			Line  int64  `json:"line"`
			Field string `json:"field"`
			Error string `json:"error"`
		} `json:"rejected"`
	}
	do(t, "POST", srv.URL+"/v1/records", body, 200, &post)
	if post.Accepted != len(lines) || len(post.Rejected) != 1 || post.Rejected[0].Line != 3 || post.Rejected[0].Field != "observed_at" {
		t.Fatalf("post: %+v", post)
	}

	var rec struct {
		RecordID string            `json:"record_id"`
		Version  int               `json:"version"`
		Clusters map[string]string `json:"clusters"`
	}
	do(t, "GET", srv.URL+"/v1/records/upwork:app:3002", "", 200, &rec)
	if rec.RecordID != "upwork:app:3002" || rec.Version != 1 || rec.Clusters["operator"] == "" {
		t.Fatalf("record: %+v", rec)
	}
	do(t, "GET", srv.URL+"/v1/records/nope", "", 404, nil)

	var list struct {
		Clusters []graph.Cluster `json:"clusters"`
	}
	do(t, "GET", srv.URL+"/v1/clusters?level=operator&min_risk=0.5", "", 200, &list)
	if len(list.Clusters) != 1 || list.Clusters[0].ID != rec.Clusters["operator"] || list.Clusters[0].Size != len(fixtures.SampleRing()) {
		t.Fatalf("risky operator clusters: %+v", list.Clusters)
	}
	var c graph.Cluster
	do(t, "GET", srv.URL+"/v1/clusters/"+rec.Clusters["operator"], "", 200, &c)
	if len(c.Evidence) == 0 || c.Level != "operator" {
		t.Fatalf("cluster page: %+v", c)
	}
	do(t, "GET", srv.URL+"/v1/clusters/o-000000000000", "", 404, nil)
	do(t, "GET", srv.URL+"/v1/clusters?level=galaxy", "", 400, nil)
	do(t, "GET", srv.URL+"/v1/clusters?limit=-1", "", 400, nil)

	var hits struct {
		Hits []graph.Hit `json:"hits"`
	}
	do(t, "GET", srv.URL+"/v1/search?q=brian+lee", "", 200, &hits)
	if len(hits.Hits) == 0 || hits.Hits[0].RecordID != "upwork:app:3002" {
		t.Fatalf("search: %+v", hits)
	}
	do(t, "GET", srv.URL+"/v1/search", "", 400, nil)

	// A body over the limit: 413, and what came before the limit is kept.
	big := strings.Repeat(lines[0]+"\n", 200)
	do(t, "POST", srv.URL+"/v1/records", big, 413, nil)
}
