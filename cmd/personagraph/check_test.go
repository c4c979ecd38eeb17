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

// check screens the sample ring's last persona against a store holding the rest: it
// lands in the ring's operator cluster with the ring's flags, and a bad line is reported
// with its line number while the good ones are answered.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ring := fixtures.SampleRing()
	last := ring[len(ring)-1]
	var base, held []string
	for _, l := range strings.Split(strings.TrimSpace(fixtures.Sample), "\n") {
		if strings.Contains(l, `"record_id":"`+last+`"`) {
			held = append(held, l)
		} else {
			base = append(base, l)
		}
	}
	if len(held) != 1 {
		t.Fatalf("%d sample lines hold %s", len(held), last)
	}
	in, checks := filepath.Join(dir, "base.ndjson"), filepath.Join(dir, "check.ndjson")
	if err := os.WriteFile(in, []byte(strings.Join(base, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := `{"record_id":"x","source":"s","observed_at":"yesterday"}`
	if err := os.WriteFile(checks, []byte(bad+"\n"+held[0]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, "check", "--data", data, "--log-level", "error", checks)
	if code != 1 || !strings.Contains(errs, "line 1") || !strings.Contains(errs, "observed_at") {
		t.Fatalf("check exit %d, stderr %q: want exit 1 naming line 1 and observed_at", code, errs)
	}
	var got []checkLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var c checkLine
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, c)
	}
	if len(got) != 1 || got[0].RecordID != last || got[0].Result != "new" {
		t.Fatalf("answers %+v", got)
	}
	if got[0].OperatorSize != len(ring) || !slices.Contains(got[0].Flags, "shared_device") || got[0].Risk < 0.5 {
		t.Fatalf("the ring's last persona checked as %+v; want the ring's cluster of %d", got[0], len(ring))
	}
	code, out, _ = cli(t, "show", "--data", data, "--format", "json", "--log-level", "error", ring[0])
	if code != 0 || !strings.Contains(out, got[0].OperatorCluster) {
		t.Fatalf("show %s: exit %d, %q lacks operator cluster %s", ring[0], code, out, got[0].OperatorCluster)
	}
}

// bench checks times checks against a store as it is: every timed check is reported,
// the copies it sent are stored, and a second run with the same seed is refused rather
// than timing copies that already exist.
func TestBenchChecks(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	in := filepath.Join(dir, "sample.ndjson")
	if err := os.WriteFile(in, []byte(fixtures.Sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, "bench", "checks", "--data", data, "--log-level", "error", "--checks", "5", "--warm", "2", "--slowest", "3")
	if code != 0 || !strings.HasPrefix(out, "checks 5  p50 ") || strings.Count(out, "#") != 0 || strings.Count(out, "\n") != 4 {
		t.Fatalf("bench checks exit %d, out %q, stderr %q", code, out, errs)
	}
	code, out, _ = cli(t, "show", "--data", data, "--log-level", "error", strings.Fields(strings.Split(out, "\n")[1])[1]+"#check-s1")
	if code != 0 || !strings.Contains(out, "#check-s1") {
		t.Fatalf("the slowest check's copy is not stored: exit %d, %q", code, out)
	}
	if code, _, errs := cli(t, "bench", "checks", "--data", data, "--log-level", "error", "--checks", "5", "--warm", "2"); code == 0 || !strings.Contains(errs, "check of a copy") {
		t.Fatalf("second run with the same seed: exit %d, stderr %q", code, errs)
	}
}
