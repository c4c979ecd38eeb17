package export

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/personagraph/personagraph/engine"
	"github.com/personagraph/personagraph/fixtures"
	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixedTime stands in for the export time in every test, so output is comparable.
var fixedTime = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

// sampleEvidence ingests fixtures.Sample into an in-memory store and gathers the
// operator cluster holding record upwork:app:3001, the sample's ring.
func sampleEvidence(t *testing.T) *Evidence {
	t.Helper()
	ctx := context.Background()
	st, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := engine.New(st, nil)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(fixtures.Sample), 0), nil); err != nil {
		t.Fatal(err)
	}
	rec, err := e.Record(ctx, "upwork:app:3001")
	if err != nil {
		t.Fatal(err)
	}
	id := rec.Clusters[graph.Operator]
	if id == "" {
		t.Fatal("upwork:app:3001 has no operator cluster")
	}
	ev, err := Gather(ctx, e, id)
	if err != nil {
		t.Fatal(err)
	}
	ev.Generated = fixedTime
	return ev
}

// fakeSource serves records parsed from NDJSON lines and one cluster over all of them,
// with the values two or more records share as evidence: for cases the sample lacks.
type fakeSource struct {
	cluster *graph.Cluster
	records map[string]*graph.StoredRecord
}

func newFakeSource(t *testing.T, persona map[string]string, lines ...string) *fakeSource {
	t.Helper()
	f := &fakeSource{cluster: &graph.Cluster{ID: "o-fake", Level: "operator", Risk: 0.5, Flags: []string{"shared_device", "video_avoidance"}},
		records: map[string]*graph.StoredRecord{}}
	holders := map[string][]string{}
	var keys []string
	for i, l := range lines {
		rec, err := ingest.Parse([]byte(l), int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		ids := ingest.Identifiers(rec)
		f.records[rec.RecordID] = &graph.StoredRecord{ID: rec.RecordID, Version: 1, ObservedAt: rec.Observed, JSON: rec.Canonical,
			Identifiers: ids, Clusters: map[graph.Level]string{graph.Person: persona[rec.RecordID], graph.Operator: "o-fake"}}
		f.cluster.Records = append(f.cluster.Records, rec.RecordID)
		for _, id := range ids {
			if holders[id.Key()] == nil {
				keys = append(keys, id.Key())
			}
			holders[id.Key()] = append(holders[id.Key()], rec.RecordID)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if len(holders[k]) >= 2 {
			kind, value, _ := strings.Cut(k, ":")
			f.cluster.Evidence = append(f.cluster.Evidence, graph.Evidence{Kind: kind, Value: value, Records: holders[k]})
		}
	}
	f.cluster.Size = len(f.cluster.Records)
	return f
}

func (f *fakeSource) Cluster(_ context.Context, id string) (*graph.Cluster, error) {
	if id != f.cluster.ID {
		return nil, fmt.Errorf("cluster %q: %w", id, graph.ErrNotFound)
	}
	c := *f.cluster
	return &c, nil
}

func (f *fakeSource) Record(_ context.Context, id string) (*graph.StoredRecord, error) {
	r, ok := f.records[id]
	if !ok {
		return nil, fmt.Errorf("record %q: %w", id, graph.ErrNotFound)
	}
	return r, nil
}

// wideLines cover what the sample lacks: an IBAN, a crypto wallet, documents, profiles,
// usernames, IPs, a shared phone, a hostile name.
var wideLines = []string{
	`{"record_id":"x:1","source":"x","observed_at":"2026-01-05T10:00:00Z","event":"application","name":"<script>alert(1)</script>","date_of_birth":"1990-02-03","nationality":"GB","documents":[{"kind":"passport","number":"123456789","country":"GB"}],"emails":["=cmd@example.com"],"phones":["+44 20 7946 0018"],"payments":[{"kind":"iban","value":"GB33BUKB20201555555555"},{"kind":"crypto","value":"0x52908400098527886E0F7030069857D2E4169EE7"}],"devices":[{"fingerprint":"fp-shared"}],"ips":["203.0.113.7","2001:db8::1"],"profiles":["https://github.com/jsmyth-dev"],"usernames":["jsmyth94"],"interview":{"video":"camera_off"}}`,
	`{"record_id":"x:2","source":"x","observed_at":"2026-01-04T10:00:00Z","event":"application","name":{"given":"Ann","family":"Lee"},"phones":["+44 20 7946 0018"],"payments":[{"kind":"crypto","value":"0x52908400098527886E0F7030069857D2E4169EE7"}],"devices":[{"fingerprint":"fp-shared"}],"ips":["203.0.113.7"],"profiles":["https://github.com/jsmyth-dev"],"documents":[{"kind":"passport","number":"123456789","country":"GB"}]}`,
	`{"record_id":"x:3","source":"y","observed_at":"2026-01-06T10:00:00Z","name":"Bo Chan","devices":[{"fingerprint":"fp-shared"}],"interview":{"video":"on"}}`,
}

func wideEvidence(t *testing.T) *Evidence {
	t.Helper()
	src := newFakeSource(t, map[string]string{"x:1": "p-1", "x:2": "p-2"}, wideLines...)
	ev, err := Gather(context.Background(), src, "o-fake")
	if err != nil {
		t.Fatal(err)
	}
	ev.Generated = fixedTime
	return ev
}

func TestGatherSample(t *testing.T) {
	ev := sampleEvidence(t)
	var ids []string
	for _, m := range ev.Members {
		ids = append(ids, m.RecordID)
		if len(m.Record) == 0 || m.Source == "" || m.Observed.IsZero() || m.Persona == "" {
			t.Errorf("member %s incomplete: %+v", m.RecordID, m)
		}
	}
	if want := fixtures.SampleRing(); !slices.Equal(ids, want) {
		t.Fatalf("members %v, want the sample ring %v", ids, want)
	}
	if ev.Cluster.Size != len(ev.Members) || len(ev.Missing) != 0 {
		t.Errorf("size %d, %d members, missing %v", ev.Cluster.Size, len(ev.Members), ev.Missing)
	}
	checkEvidence(t, ev)
	if len(ev.Values) == 0 || len(ev.Links) == 0 || len(ev.Flags) == 0 {
		t.Fatalf("the ring has no evidence: %d values, %d links, %d flags", len(ev.Values), len(ev.Links), len(ev.Flags))
	}
}

func TestGatherWide(t *testing.T) {
	ev := wideEvidence(t)
	checkEvidence(t, ev)
	flags := map[string]Flag{}
	for _, f := range ev.Flags {
		flags[f.Name] = f
	}
	if f := flags["shared_device"]; !slices.Equal(f.Records, []string{"x:1", "x:2", "x:3"}) || len(f.Values) != 1 || f.Values[0].Value != "fp-shared" {
		t.Errorf("shared_device: %+v", f)
	}
	if f := flags["video_avoidance"]; !slices.Equal(f.Records, []string{"x:1"}) || f.Basis != "record_signal" {
		t.Errorf("video_avoidance: %+v", f)
	}
	if got := ev.Timeline[0].RecordID; got != "x:2" {
		t.Errorf("timeline starts with %s, want the earliest record x:2", got)
	}
	if p := ev.member("x:3").Persona; p != "record:x:3" {
		t.Errorf("a record without a person cluster is persona %q", p)
	}
}

func TestGatherMissingAndUnknown(t *testing.T) {
	src := newFakeSource(t, nil, wideLines...)
	delete(src.records, "x:3")
	ev, err := Gather(context.Background(), src, "o-fake")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ev.Missing, []string{"x:3"}) || len(ev.Members) != 2 {
		t.Errorf("missing %v, %d members", ev.Missing, len(ev.Members))
	}
	for _, v := range ev.Values {
		if slices.Contains(v.Records, "x:3") {
			t.Errorf("value %s lists the missing record", v.Key())
		}
	}
	if _, err := Gather(context.Background(), src, "o-none"); err == nil {
		t.Error("Gather of an unknown cluster succeeded")
	}
}

// checkEvidence holds the invariants every Evidence keeps.
func checkEvidence(t *testing.T, ev *Evidence) {
	t.Helper()
	if !slices.IsSortedFunc(ev.Members, func(a, b Member) int { return strings.Compare(a.RecordID, b.RecordID) }) {
		t.Error("members not sorted")
	}
	holds := func(rec, key string) bool {
		m := ev.member(rec)
		if m == nil {
			return false
		}
		if block, ok := strings.CutPrefix(key, "phone_block:"); ok {
			// A block of sequential numbers is held through a phone inside it.
			lo, hi, _ := strings.Cut(block, "..")
			l, errL := strconv.ParseUint(strings.TrimPrefix(lo, "+"), 10, 64)
			h, errH := strconv.ParseUint(strings.TrimPrefix(hi, "+"), 10, 64)
			return errL == nil && errH == nil && slices.ContainsFunc(m.Identifiers, func(id ingest.Identifier) bool {
				n, ok := ingest.PhoneNumeric(id.Value)
				return id.Kind == ingest.KindPhone && ok && n >= l && n <= h
			})
		}
		if band, ok := strings.CutPrefix(key, string(ingest.KindCVShingleBand)+":"); ok {
			// A CV band is held through the record's sketch, from which it is derived.
			return slices.ContainsFunc(m.Identifiers, func(id ingest.Identifier) bool {
				return id.Kind == ingest.KindCVSketch && slices.Contains(ingest.CVBandValues(id.Value), band)
			})
		}
		return slices.ContainsFunc(m.Identifiers, func(id ingest.Identifier) bool { return id.Key() == key })
	}
	for _, v := range ev.Values {
		if len(v.Records) < 2 || v.Personas < 1 || v.Personas > len(v.Records) {
			t.Errorf("value %s: records %v, personas %d", v.Key(), v.Records, v.Personas)
		}
		for _, r := range v.Records {
			if !holds(r, v.Key()) {
				t.Errorf("value %s: record %s does not hold it", v.Key(), r)
			}
		}
	}
	for _, l := range ev.Links {
		if l.A >= l.B || !holds(l.A, l.Kind+":"+l.Value) || !holds(l.B, l.Kind+":"+l.Value) {
			t.Errorf("link %+v: not an ordered pair of holders", l)
		}
	}
	pairs := 0
	for _, v := range ev.Values {
		pairs += len(v.Records) * (len(v.Records) - 1) / 2
	}
	if pairs != len(ev.Links) {
		t.Errorf("%d links, want %d (every holder pair of every value)", len(ev.Links), pairs)
	}
	if len(ev.Flags) != len(ev.Cluster.Flags) {
		t.Errorf("%d flags explained, cluster has %d", len(ev.Flags), len(ev.Cluster.Flags))
	}
	for _, f := range ev.Flags {
		if f.Basis != "" && len(f.Records) == 0 {
			t.Errorf("flag %s (%s) has no records behind it", f.Name, f.Basis)
		}
		for _, r := range f.Records {
			if ev.member(r) == nil {
				t.Errorf("flag %s names non-member %s", f.Name, r)
			}
		}
	}
	if len(ev.Timeline) != len(ev.Members) || !slices.IsSortedFunc(ev.Timeline, func(a, b Event) int { return a.At.Compare(b.At) }) {
		t.Errorf("timeline: %d events for %d members, or unsorted", len(ev.Timeline), len(ev.Members))
	}
}

// TestGolden compares every single-file format on the sample ring with its golden file.
// After an intended change, rewrite them with `go test ./engine/export/ -update` and
// review the diff.
func TestGolden(t *testing.T) {
	ev := sampleEvidence(t)
	for _, f := range Formats() {
		t.Run(f.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.Write(&b, ev); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if err := f.Write(&again, ev); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Fatal("two writes of the same evidence differ")
			}
			path := filepath.Join("testdata", "golden", "sample"+f.Ext)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from %s; rerun with -update and review the diff\n%s", f.Name, path, firstDiff(b.String(), string(want)))
			}
		})
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return "(no line differs)"
}

func TestLookup(t *testing.T) {
	for _, name := range FormatNames() {
		f, ok := Lookup(name)
		if name == "bundle" {
			if ok {
				t.Error("bundle is not a single-file format")
			}
			continue
		}
		if !ok || f.Name != name || f.Write == nil || f.ContentType == "" || !strings.HasPrefix(f.Ext, ".") {
			t.Errorf("Lookup(%q) = %+v, %v", name, f, ok)
		}
	}
	if _, ok := Lookup("pdf"); ok {
		t.Error("Lookup(pdf) succeeded")
	}
}
