package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
)

// sampleData ingests the sample fixture into a fresh data directory.
func sampleData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	in := filepath.Join(dir, "records")
	if err := os.WriteFile(in, []byte(fixtures.Sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	return data
}

func TestSearchCommand(t *testing.T) {
	data := sampleData(t)
	type hit struct {
		RecordID string   `json:"record_id"`
		Score    float64  `json:"score"`
		Matched  []string `json:"matched"`
	}
	search := func(args ...string) []hit {
		t.Helper()
		code, out, errs := cli(t, append([]string{"search", "--data", data, "--log-level", "error", "--format", "ndjson"}, args...)...)
		if code != 0 {
			t.Fatalf("search %q: exit %d: %s", args, code, errs)
		}
		var hits []hit
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var h hit
			if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
				t.Fatalf("search %q: line %q: %v", args, sc.Text(), err)
			}
			hits = append(hits, h)
		}
		return hits
	}
	for _, c := range []struct {
		query []string
		want  []string // the records the hits must start with, in any order
		field string
	}{
		{[]string{"Olivia", "Bennet"}, []string{"acme:app:0001", "acme:app:0002"}, "name"},
		{[]string{"07911 123456"}, []string{"acme:app:0001", "acme:app:0002"}, "phone"},
		{[]string{"olivia.bennett@googlemail.com"}, []string{"acme:app:0001", "acme:app:0002"}, "email"},
		{[]string{"experiance in React"}, []string{"upwork:app:3001", "upwork:app:3002"}, "cv"},
	} {
		hits := search(c.query...)
		if len(hits) < len(c.want) {
			t.Fatalf("search %q: %+v, want %v first", c.query, hits, c.want)
		}
		var got []string
		for _, h := range hits[:len(c.want)] {
			got = append(got, h.RecordID)
			if !slices.Contains(h.Matched, c.field) || h.Score <= 0 {
				t.Errorf("search %q: %+v should match on %s with a score", c.query, h, c.field)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("search %q: first hits %v, want %v", c.query, got, c.want)
		}
	}
	if hits := search("--limit", "1", "Olivia Bennett"); len(hits) != 1 {
		t.Fatalf("--limit 1: %d hits", len(hits))
	}

	code, out, errs := cli(t, "search", "--data", data, "--log-level", "error", "YO10 5DD")
	if code != 0 || !strings.Contains(out, "RECORD_ID") || !strings.Contains(out, "acme:app:0001") || !strings.Contains(out, "postcode") {
		t.Fatalf("table output: exit %d %q %s", code, out, errs)
	}
	if code, out, _ := cli(t, "search", "--data", data, "--log-level", "error", "Qwxzv"); code != 0 || !strings.Contains(out, "no records found") {
		t.Fatalf("no hits: exit %d %q", code, out)
	}
	for _, bad := range [][]string{{}, {"--format", "xml", "x"}, {"--limit", "0", "x"}} {
		if code, _, _ := cli(t, append([]string{"search", "--data", data, "--log-level", "error"}, bad...)...); code != 2 {
			t.Errorf("search %q: exit %d, want 2 (usage)", bad, code)
		}
	}
}

func TestSearchExplainClusterBridges(t *testing.T) {
	data := sampleData(t)
	code, out, errs := cli(t, "show", "--data", data, "--log-level", "error", "--format", "json", "upwork:app:3001")
	if code != 0 {
		t.Fatalf("show: %s", errs)
	}
	var rec struct {
		Clusters map[string]string `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	op := rec.Clusters["operator"]
	code, out, errs = cli(t, "explain", "--data", data, "--log-level", "error", "--format", "json", "--cluster", op)
	if code != 0 {
		t.Fatalf("explain --cluster %s: exit %d: %s", op, code, errs)
	}
	var bridges []struct {
		Kind  string     `json:"kind"`
		Value string     `json:"value"`
		Parts [][]string `json:"parts"`
	}
	if err := json.Unmarshal([]byte(out), &bridges); err != nil || bridges == nil {
		t.Fatalf("explain --cluster json %q: %v", out, err)
	}
	ring := fixtures.SampleRing()
	for _, b := range bridges {
		seen := map[string]bool{}
		for _, p := range b.Parts {
			for _, r := range p {
				if seen[r] || !slices.Contains(ring, r) {
					t.Errorf("bridge %s %s: record %s twice or outside the ring %v", b.Kind, b.Value, r, ring)
				}
				seen[r] = true
			}
		}
		if len(b.Parts) < 2 {
			t.Errorf("bridge %s %s splits nothing: %v", b.Kind, b.Value, b.Parts)
		}
	}
	if code, _, _ := cli(t, "explain", "--data", data, "--log-level", "error", "--cluster", op, "a", "b"); code != 2 {
		t.Fatalf("explain --cluster with records: exit %d, want 2", code)
	}
	if code, _, _ := cli(t, "explain", "--data", data, "--log-level", "error", "--cluster", "o-nosuch"); code != 1 {
		t.Fatalf("explain --cluster of a missing cluster: exit %d, want 1", code)
	}
	code, out, _ = cli(t, "explain", "--data", data, "--log-level", "error", "--cluster", op)
	if code != 0 || !strings.Contains(out, op) {
		t.Fatalf("explain --cluster text: exit %d %q", code, out)
	}
	t.Logf("%s", out)
}
