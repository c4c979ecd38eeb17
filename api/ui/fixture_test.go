package ui

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/api"
	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// uiFixture is a real listening server (API and UI) over a real store filled with
// records, one token per role, and an audit log file.
type uiFixture struct {
	srv    *httptest.Server
	eng    *engine.Engine
	tokens map[api.Role]string
	audit  string
}

// newUIFixture ingests the NDJSON records at path (relative to this package).
func newUIFixture(t testing.TB, records string) *uiFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := graph.Open(filepath.Join(dir, "data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eng := engine.New(st, nil)
	in, err := os.Open(records)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := eng.Ingest(context.Background(), ingest.NewReader(in, 0), nil); err != nil {
		t.Fatal(err)
	}
	f := &uiFixture{eng: eng, tokens: map[api.Role]string{}, audit: filepath.Join(dir, "audit.ndjson")}
	ring := &api.Keyring{}
	for _, r := range api.Roles() {
		tok, err := ring.Add(string(r)+"-user", r, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[r] = tok
	}
	af, err := api.OpenAuditFile(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { af.Close() })
	s := api.NewServer(eng, &api.Options{Auth: ring, Audit: af, RateLimit: -1})
	s.MountUI(New(eng, &Options{Auth: ring, Audit: s.Audit}))
	f.srv = httptest.NewServer(s)
	t.Cleanup(f.srv.Close)
	return f
}

// t1Small is the committed generated population: 603 records with rings and hubs.
const t1Small = "../../fixtures/t1-small/records.ndjson"

// client is a browser-like HTTP client: a cookie jar, and redirects not followed so
// that tests see them.
func (f *uiFixture) client(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn posts the login form with role's token and fails unless it redirects.
func (f *uiFixture) signIn(t testing.TB, c *http.Client, role api.Role) {
	t.Helper()
	resp := f.post(t, c, "/login", url.Values{"token": {f.tokens[role]}, "next": {"/queue"}})
	if resp.code != http.StatusSeeOther || resp.location != "/queue" {
		t.Fatalf("sign in as %s: %d to %q: %s", role, resp.code, resp.location, resp.body)
	}
}

type answer struct {
	code     int
	location string
	ctype    string
	body     string
	header   http.Header
}

func (f *uiFixture) get(t testing.TB, c *http.Client, path string) answer {
	t.Helper()
	resp, err := c.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func (f *uiFixture) post(t testing.TB, c *http.Client, path string, form url.Values) answer {
	t.Helper()
	req, err := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.srv.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t testing.TB, resp *http.Response) answer {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{code: resp.StatusCode, location: resp.Header.Get("Location"), ctype: resp.Header.Get("Content-Type"), body: string(b), header: resp.Header}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf finds the CSRF token in a page's forms.
func csrf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("page has no CSRF field")
	}
	return m[1]
}

// topCluster is the riskiest operator cluster of the store.
func (f *uiFixture) topCluster(t testing.TB) *graph.Cluster {
	t.Helper()
	cs, err := f.eng.Clusters(context.Background(), graph.Operator, engine.ClusterFilter{MinSize: 2})
	if err != nil || len(cs) == 0 {
		t.Fatalf("clusters: %d, %v", len(cs), err)
	}
	return cs[0]
}

// readAudit reads the audit log's lines.
func readAudit(t testing.TB, path string) []api.AuditEntry {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []api.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e api.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}
