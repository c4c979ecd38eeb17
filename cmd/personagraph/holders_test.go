package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
)

// The sample ring's payout account is held by three records under three names; show
// says so under the identifier, and holders lists them with their clusters.
func TestHoldersAndShowStats(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	in := writeFile(t, filepath.Join(t.TempDir(), "in.ndjson"), fixtures.Sample)
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	const payout = "payoneer:kwalker.pay@payoneer.example"
	code, out, errs := cli(t, "holders", "--data", data, "--log-level", "error", "--format", "json", "payment", payout)
	if code != 0 {
		t.Fatalf("holders exit %d: %s", code, errs)
	}
	var got struct {
		Count   int
		Holders []struct {
			RecordID string            `json:"record_id"`
			Clusters map[string]string `json:"clusters"`
		}
		Stats graph.IdentifierStats
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Count != 3 || len(got.Holders) != 3 || got.Stats.Holders != 3 || got.Stats.Names != 3 || got.Stats.Described != 3 {
		t.Fatalf("holders of the ring's payout: %s", out)
	}
	for _, h := range got.Holders {
		if h.Clusters["operator"] == "" || h.Clusters["operator"] != got.Holders[0].Clusters["operator"] {
			t.Fatalf("the ring's holders are not in one operator cluster: %s", out)
		}
	}
	code, out, _ = cli(t, "holders", "--data", data, "--log-level", "error", "--limit", "1", "payment", payout)
	if code != 0 || !strings.Contains(out, "held by 3 records under 3 names") || !strings.Contains(out, "2 more") {
		t.Fatalf("holders text, --limit 1: exit %d %q", code, out)
	}
	code, out, _ = cli(t, "show", "--data", data, "--log-level", "error", got.Holders[0].RecordID)
	if code != 0 || !strings.Contains(out, payout) || !strings.Contains(out, "held by 3 records under 3 names") {
		t.Fatalf("show does not give the payout's statistics: exit %d %q", code, out)
	}
	if code, _, _ := cli(t, "holders", "--data", data, "payment"); code != 2 {
		t.Fatalf("holders with one argument: exit %d, want 2", code)
	}
}
