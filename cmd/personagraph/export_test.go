package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/engine/export"
	"github.com/personagraph/personagraph/fixtures"
)

// ringCluster ingests the sample into a fresh data dir and returns it with the operator
// cluster of record upwork:app:3001.
func ringCluster(t *testing.T) (data, cluster string) {
	t.Helper()
	dir := t.TempDir()
	data = filepath.Join(dir, "data")
	in := writeFile(t, filepath.Join(dir, "in.ndjson"), fixtures.Sample)
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, "show", "--data", data, "--format", "json", "--log-level", "error", "upwork:app:3001")
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, errs)
	}
	var rec struct {
		Clusters map[string]string `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil || rec.Clusters["operator"] == "" {
		t.Fatalf("show: %v: %s", err, out)
	}
	return data, rec.Clusters["operator"]
}

func TestExportCommand(t *testing.T) {
	data, cluster := ringCluster(t)
	dir := t.TempDir()
	base := []string{"export", "--data", data, "--log-level", "error", "--cluster", cluster}
	for _, f := range export.Formats() {
		t.Run(f.Name, func(t *testing.T) {
			out := filepath.Join(dir, "ring"+f.Ext)
			code, stdout, errs := cli(t, append(base, "--format", f.Name, "--out", out)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout, out) || !strings.Contains(string(b), "upwork:app:3001") {
				t.Fatalf("stdout %q; file lacks the ring's record", stdout)
			}
			switch f.Name {
			case "json", "stix":
				if !json.Valid(b) {
					t.Error("not valid JSON")
				}
			case "graphml", "gexf":
				var v struct{ XMLName xml.Name }
				if err := xml.Unmarshal(b, &v); err != nil {
					t.Error(err)
				}
			}
			// Standard output gets the same document (its generation time may differ).
			code, stdout, errs = cli(t, append(base, "--format", f.Name, "--out", "-")...)
			if code != 0 || len(stdout) != len(b) || !strings.Contains(stdout, "upwork:app:3001") {
				t.Fatalf("--out -: exit %d, %d bytes vs %d in the file: %s", code, len(stdout), len(b), errs)
			}
		})
	}
	t.Run("csv tables", func(t *testing.T) {
		out := filepath.Join(dir, "tables") + "/"
		if code, _, errs := cli(t, append(base, "--format", "csv", "--out", out)...); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, name := range export.CSVFiles() {
			if fi, err := os.Stat(filepath.Join(out, name)); err != nil || fi.Size() == 0 {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("bundle and verify", func(t *testing.T) {
		out := filepath.Join(dir, "bundle")
		code, stdout, errs := cli(t, append(base, "--format", "bundle", "--out", out)...)
		if code != 0 || !strings.Contains(stdout, "manifest sha256") {
			t.Fatalf("exit %d: %s %s", code, stdout, errs)
		}
		m, err := export.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		if m.ClusterID != cluster || !strings.Contains(m.Query, cluster) || !strings.Contains(stdout, m.Digest) {
			t.Errorf("manifest %+v; stdout %q", m, stdout)
		}
		if code, stdout, errs := cli(t, "export", "verify", out); code != 0 || !strings.Contains(stdout, "ok:") {
			t.Fatalf("verify: exit %d: %s %s", code, stdout, errs)
		}
		report := filepath.Join(out, cluster+".html")
		if err := os.WriteFile(report, []byte("<p>changed</p>"), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := cli(t, "export", "verify", out); code != 1 || !strings.Contains(errs, cluster+".html") {
			t.Fatalf("verify of a changed bundle: exit %d: %s", code, errs)
		}
		// A second bundle into the same directory is refused.
		if code, _, errs := cli(t, append(base, "--format", "bundle", "--out", out)...); code != 1 || !strings.Contains(errs, "not empty") {
			t.Fatalf("bundle into a used directory: exit %d: %s", code, errs)
		}
	})
	t.Run("unknown cluster", func(t *testing.T) {
		code, _, errs := cli(t, "export", "--data", data, "--log-level", "error", "--cluster", "o-000000000000", "--out", "-")
		if code != 1 || !strings.Contains(errs, "not found") {
			t.Fatalf("exit %d: %s", code, errs)
		}
	})
}

func TestExportUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no cluster", []string{"export", "--format", "json", "--out", "-"}},
		{"no out", []string{"export", "--cluster", "o-1"}},
		{"bad format", []string{"export", "--cluster", "o-1", "--format", "pdf", "--out", "-"}},
		{"bundle to stdout", []string{"export", "--cluster", "o-1", "--format", "bundle", "--out", "-"}},
		{"positional", []string{"export", "o-1"}},
		{"verify without dir", []string{"export", "verify"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, errs := cli(t, tc.args...); code != 2 {
				t.Errorf("exit %d, want 2: %s", code, errs)
			}
		})
	}
}
