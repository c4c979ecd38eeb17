package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
)

// personaRecords share a device, so forgetting some of them changes the clusters.
const personaRecords = `{"record_id":"t:1","source":"t","observed_at":"2026-01-01T00:00:00Z","persona_id":"ghost-7","name":"Wendeline Qarst","emails":["wendeline.qarst@unique-mail.example"],"devices":[{"fingerprint":"fp-shared-77"}]}
{"record_id":"t:2","source":"t","observed_at":"2026-01-02T00:00:00Z","persona_id":"ghost-7","name":"W. Qarst","phones":["+14155550177"],"devices":[{"fingerprint":"fp-shared-77"}]}
{"record_id":"t:3","source":"t","observed_at":"2026-01-03T00:00:00Z","persona_id":"other-1","name":"Tobin Ash","emails":["tobin@ash.example"],"devices":[{"fingerprint":"fp-shared-77"}]}
`

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clusterRecords returns the record ids listed by `clusters --min-size 1` at a level.
func clusterRecords(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, errs := cli(t, append([]string{"clusters", "--min-size", "1", "--format", "ndjson", "--log-level", "error"}, args...)...)
	if code != 0 {
		t.Fatalf("clusters: exit %d: %s", code, errs)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var c struct {
			Records []string `json:"records"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		ids = append(ids, c.Records...)
	}
	return ids
}

func TestEncryptedStoreCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key := writeFile(t, filepath.Join(dir, "key"), hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))+"\n")
	in := writeFile(t, filepath.Join(dir, "in.ndjson"), personaRecords)

	if code, _, errs := cli(t, "ingest", "--data", data, "--encryption-key-file", key, "--log-level", "error", in); code != 0 {
		t.Fatalf("encrypted ingest: exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, "show", "--data", data, "--encryption-key-file", key, "--log-level", "error", "t:1")
	if code != 0 || !strings.Contains(out, "wendeline.qarst@unique-mail.example") {
		t.Fatalf("show with key: exit %d: %s %s", code, out, errs)
	}
	code, _, errs = cli(t, "show", "--data", data, "--log-level", "error", "t:1")
	if code != 1 || !strings.Contains(errs, "encryption key is needed") {
		t.Fatalf("show without key: exit %d: %s", code, errs)
	}
	// The environment variable stands in for the flag.
	t.Setenv("PERSONAGRAPH_KEY_FILE", key)
	if code, _, errs := cli(t, "show", "--data", data, "--log-level", "error", "t:2"); code != 0 {
		t.Fatalf("show with env key: exit %d: %s", code, errs)
	}
	t.Setenv("PERSONAGRAPH_KEY_FILE", writeFile(t, filepath.Join(dir, "bad"), "not a key"))
	if code, _, errs := cli(t, "show", "--data", data, "--log-level", "error", "t:2"); code != 1 || !strings.Contains(errs, "bad encryption key") {
		t.Fatalf("show with a bad key file: exit %d: %s", code, errs)
	}
}

func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	in := writeFile(t, filepath.Join(dir, "in.ndjson"), fixtures.Sample)
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	backup := filepath.Join(dir, "store.pgbak")
	code, out, errs := cli(t, "backup", "--data", data, "--out", backup, "--log-level", "error")
	if code != 0 || !strings.Contains(out, "keys") {
		t.Fatalf("backup: exit %d: %s %s", code, out, errs)
	}
	if code, _, _ := cli(t, "backup", "--data", data); code != 2 {
		t.Fatalf("backup without --out: exit %d, want 2", code)
	}

	restored := filepath.Join(dir, "restored")
	if code, out, errs = cli(t, "restore", "--data", restored, "--log-level", "error", backup); code != 0 {
		t.Fatalf("restore: exit %d: %s %s", code, out, errs)
	}
	for _, level := range []string{"person", "operator"} {
		want := clusterRecords(t, "--data", data, "--level", level)
		got := clusterRecords(t, "--data", restored, "--level", level)
		if strings.Join(got, ",") != strings.Join(want, ",") || len(got) != 12 {
			t.Fatalf("%s clusters after restore: %v, want %v", level, got, want)
		}
	}
	code, out, _ = cli(t, "show", "--data", restored, "--log-level", "error", "upwork:app:3002")
	if code != 0 || !strings.Contains(out, "fp-d3adbeef") {
		t.Fatalf("show after restore: exit %d: %s", code, out)
	}

	// A second restore into the same directory needs --force.
	code, _, errs = cli(t, "restore", "--data", restored, "--log-level", "error", backup)
	if code != 1 || !strings.Contains(errs, "--force") {
		t.Fatalf("restore into a full directory: exit %d: %s", code, errs)
	}
	if code, _, errs = cli(t, "restore", "--data", restored, "--force", "--log-level", "error", backup); code != 0 {
		t.Fatalf("restore --force: exit %d: %s", code, errs)
	}
	if code, _, errs = cli(t, "restore", "--data", filepath.Join(dir, "x"), "--log-level", "error", in); code != 1 || !strings.Contains(errs, "not a valid personagraph backup") {
		t.Fatalf("restore of a non-backup: exit %d: %s", code, errs)
	}
}

func TestForgetCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	in := writeFile(t, filepath.Join(dir, "in.ndjson"), personaRecords)
	if code, _, errs := cli(t, "ingest", "--data", data, "--log-level", "error", in); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	if got := clusterRecords(t, "--data", data, "--level", "operator"); len(got) != 3 {
		t.Fatalf("operator clusters before: %v", got)
	}

	code, out, errs := cli(t, "forget", "--data", data, "--persona", "ghost-7", "--reason", "DSR-1", "--compact", "--log-level", "error")
	if code != 0 {
		t.Fatalf("forget --persona: exit %d: %s", code, errs)
	}
	var res struct {
		Forgotten    int      `json:"forgotten"`
		RecordHashes []string `json:"record_hashes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Forgotten != 2 ||
		strings.Join(res.RecordHashes, ",") != graph.HashRecordID("t:1")+","+graph.HashRecordID("t:2") {
		t.Fatalf("forget output %q: %v", out, err)
	}
	for _, id := range []string{"t:1", "t:2"} {
		if code, _, errs := cli(t, "show", "--data", data, "--log-level", "error", id); code != 1 || !strings.Contains(errs, "not found") {
			t.Fatalf("show %s after forget: exit %d: %s", id, code, errs)
		}
	}
	for _, level := range []string{"person", "operator"} {
		if got := clusterRecords(t, "--data", data, "--level", level); strings.Join(got, ",") != "t:3" {
			t.Fatalf("%s clusters after forget: %v", level, got)
		}
	}
	if code, out, _ := cli(t, "show", "--data", data, "--log-level", "error", "t:3"); code != 0 || !strings.Contains(out, "fp-shared-77") {
		t.Fatalf("the record that stays: exit %d: %s", code, out)
	}

	if code, _, _ := cli(t, "forget", "--data", data, "--log-level", "error", "t:3"); code != 0 {
		t.Fatalf("forget by id: exit %d", code)
	}
	if code, _, errs := cli(t, "forget", "--data", data, "--log-level", "error", "t:3"); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("forget of a forgotten record: exit %d: %s", code, errs)
	}
	if code, _, errs := cli(t, "forget", "--data", data, "--persona", "nobody", "--log-level", "error"); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("forget of an unknown persona: exit %d: %s", code, errs)
	}
	for _, args := range [][]string{{"forget"}, {"forget", "--persona", "p", "t:1"}} {
		if code, _, _ := cli(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// The erased e-mail is gone from the store's files (after --compact above).
	if err := filepath.WalkDir(data, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), "wendeline.qarst@unique-mail.example") {
			t.Errorf("erased e-mail still in %s", path)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
