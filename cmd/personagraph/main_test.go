package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
)

// cli runs the command line in-process and returns exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestIngestClustersShow(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	in := filepath.Join(t.TempDir(), "in.ndjson")
	lines := strings.Split(strings.TrimSpace(fixtures.Sample), "\n")
	bad := `{"record_id":"broken","source":"s","observed_at":"not a time"}`
	withBad := append(append(append([]string{}, lines[:3]...), bad), lines[3:]...)
	if err := os.WriteFile(in, []byte(strings.Join(withBad, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in)
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "new 12, updated 0, unchanged 0, rejected 1") {
		t.Fatalf("summary: %q", out)
	}
	if !strings.Contains(errs, "line 4") || !strings.Contains(errs, "observed_at") || !strings.Contains(errs, "broken") {
		t.Fatalf("reject not reported with line, record and field: %q", errs)
	}

	code, out, _ = cli(t, "ingest", "--data", data, "--strict", "--log-level", "error", in)
	if code != 1 || !strings.Contains(out, "new 0, updated 0, unchanged 12, rejected 1") {
		t.Fatalf("strict re-ingest: exit %d, %q", code, out)
	}

	for _, level := range []string{"person", "operator"} {
		code, out, errs = cli(t, "clusters", "--data", data, "--level", level, "--min-size", "1", "--format", "ndjson", "--log-level", "error")
		if code != 0 {
			t.Fatalf("clusters exit %d: %s", code, errs)
		}
		seen := map[string]int{}
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var c struct {
				ID      string   `json:"cluster_id"`
				Level   string   `json:"level"`
				Size    int      `json:"size"`
				Records []string `json:"records"`
				Risk    *float64 `json:"risk"`
				Flags   []string `json:"flags"`
			}
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("bad line %q: %v", sc.Text(), err)
			}
			if c.ID == "" || c.Level != level || c.Size != len(c.Records) || c.Risk == nil || c.Flags == nil {
				t.Fatalf("incomplete cluster line %q", sc.Text())
			}
			for _, r := range c.Records {
				seen[r]++
			}
		}
		if len(seen) != 12 {
			t.Fatalf("%s: %d records in clusters, want 12", level, len(seen))
		}
		for r, n := range seen {
			if n != 1 {
				t.Fatalf("%s: record %s in %d clusters", level, r, n)
			}
		}
	}

	code, out, _ = cli(t, "show", "--data", data, "upwork:app:3002", "--log-level", "error")
	if code != 0 || !strings.Contains(out, "fp-d3adbeef") || !strings.Contains(out, "operator") {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	if code, _, errs = cli(t, "show", "--data", data, "nope", "--log-level", "error"); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("show missing: exit %d, %q", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"ingest"},
		{"clusters", "--level", "galaxy"},
		{"clusters", "--no-such-flag"},
		{"show"},
	} {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestDemo(t *testing.T) {
	code, out, errs := cli(t, "demo", "--log-level", "error")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errs)
	}
	for _, want := range []string{"shared_device", "shared_payout", "Kevin Walker", "Brian Lee"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalOnSample(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	files := map[string]string{"records": fixtures.Sample, "truth": fixtures.SampleTruth, "mnl": fixtures.SampleMustNotLink}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", filepath.Join(dir, "records")); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	for _, level := range []string{"person", "operator"} {
		code, out, errs := cli(t, "eval", "--data", data, "--log-level", "error", "--level", level, "--format", "json",
			"--truth", filepath.Join(dir, "truth"), "--must-not-link", filepath.Join(dir, "mnl"))
		if code != 0 {
			t.Fatalf("eval %s: exit %d: %s", level, code, errs)
		}
		var rep struct {
			Precision, Recall, F1 float64
			Records               int
			Violations            map[string]int `json:"must_not_link_violations"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("eval json: %v\n%s", err, out)
		}
		// The sample is easy: the engine gets it exactly right at both levels.
		if rep.Records != 12 || rep.Precision != 1 || rep.Recall != 1 || rep.F1 != 1 || rep.Violations["household"] != 0 {
			t.Fatalf("%s: %+v", level, rep)
		}
	}
}

func TestIngestCSVWithMapping(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	const dir = "../../ingest/testdata/csv/"
	code, out, errs := cli(t, "ingest", "--data", data, "--log-level", "error", "--format", "csv",
		"--map", dir+"applicants_map.json", dir+"applicants.csv")
	if code != 0 || !strings.Contains(out, "new 3, updated 0, unchanged 0, rejected 4") {
		t.Fatalf("csv ingest: exit %d %q %s", code, out, errs)
	}
	if !strings.Contains(errs, "line 5") || !strings.Contains(errs, "observed_at") {
		t.Fatalf("csv reject not reported with line and field: %s", errs)
	}
	if code, _, _ := cli(t, "ingest", "--data", data, "--format", "csv", dir+"applicants.csv"); code != 2 {
		t.Fatalf("csv without --map: exit %d, want 2", code)
	}
}

func TestExplain(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	in := filepath.Join(dir, "records")
	if err := os.WriteFile(in, []byte(fixtures.Sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	explain := func(a, b string) (ex struct {
		SamePerson   bool `json:"same_person"`
		SameOperator bool `json:"same_operator"`
		Fields       []struct {
			Field       string  `json:"field"`
			Level       string  `json:"level"`
			BayesFactor float64 `json:"bayes_factor"`
		} `json:"fields"`
		Posterior float64 `json:"posterior"`
		Shared    []struct {
			Kind  string `json:"kind"`
			Value string `json:"value"`
		} `json:"shared"`
	}) {
		code, out, errs := cli(t, "explain", "--data", data, "--log-level", "error", "--format", "json", a, b)
		if code != 0 {
			t.Fatalf("explain %s %s: %s", a, b, errs)
		}
		if err := json.Unmarshal([]byte(out), &ex); err != nil {
			t.Fatal(err)
		}
		return ex
	}
	// One applicant twice: same person, strong field evidence, shared e-mail and phone.
	ex := explain("acme:app:0001", "acme:app:0002")
	if !ex.SamePerson || ex.Posterior < 0.5 || len(ex.Shared) < 2 || len(ex.Fields) != 6 {
		t.Fatalf("re-application: %+v", ex)
	}
	// Two personas of the ring: one operator, not one person, sharing a device.
	ex = explain("upwork:app:3001", "upwork:app:3002")
	if ex.SamePerson || !ex.SameOperator || ex.Posterior >= 0.5 {
		t.Fatalf("ring personas: %+v", ex)
	}
	kinds := map[string]bool{}
	for _, s := range ex.Shared {
		kinds[s.Kind] = true
	}
	if !kinds["device"] || !kinds["payment"] {
		t.Fatalf("ring personas should share a device and a payout: %+v", ex.Shared)
	}
	if code, _, _ := cli(t, "explain", "--data", data, "--log-level", "error", "acme:app:0001", "nope"); code != 1 {
		t.Fatalf("explain with a missing record: exit %d, want 1", code)
	}
}

func TestNormalize(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.ndjson")
	body := `{"record_id":"a","source":"s","observed_at":"2026-01-01T00:00:00Z","nationality":"GB","phones":["07911 123456"],"emails":["Jo.Bloggs+cv@GoogleMail.com"]}
{"record_id":"b","source":"s"}
`
	if err := os.WriteFile(in, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "normalize", "--log-level", "error", in)
	if code != 0 {
		t.Fatalf("normalize: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || !strings.Contains(errs, "line 2") {
		t.Fatalf("want one record out and line 2 rejected; got %q / %q", out, errs)
	}
	var rec struct {
		RecordID    string `json:"record_id"`
		Identifiers []struct {
			Kind, Value, Raw string
			Valid            bool
			Flags            []string
		} `json:"identifiers"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, id := range rec.Identifiers {
		got[id.Kind] = id.Value
	}
	if rec.RecordID != "a" || got["phone"] != "+447911123456" || got["email"] != "jobloggs@gmail.com" {
		t.Fatalf("identifiers: %+v", rec)
	}
	// Nothing was stored: there is no data directory to speak of.
	if _, err := os.Stat("personagraph-data"); err == nil {
		t.Fatal("normalize created a data directory")
	}
}
