package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// twoRings is a chain of two rings joined by one shared device: ring A (a1..a3) shares
// a device and a payout, ring B (b1..b3) a device and a phone, and a3 and b1 also share
// device "bridge-dev". Only that device, when removed, splits the cluster.
func twoRings() string {
	var b strings.Builder
	rec := func(id, name, extra string) {
		fmt.Fprintf(&b, `{"record_id":%q,"source":"s","observed_at":"2026-01-01T00:00:00Z","name":%q,%s}`+"\n", id, name, extra)
	}
	rec("a1", "Ann Lee", `"devices":[{"fingerprint":"ring-a"}],"payments":[{"kind":"payoneer","value":"PA-1"}]`)
	rec("a2", "Bo Chan", `"devices":[{"fingerprint":"ring-a"}],"payments":[{"kind":"payoneer","value":"PA-1"}]`)
	rec("a3", "Cy Dee", `"devices":[{"fingerprint":"ring-a"},{"fingerprint":"bridge-dev"}],"payments":[{"kind":"payoneer","value":"PA-1"}]`)
	rec("b1", "Di Eng", `"devices":[{"fingerprint":"ring-b"},{"fingerprint":"bridge-dev"}],"phones":["+44 20 7946 0018"]`)
	rec("b2", "Ed Fox", `"devices":[{"fingerprint":"ring-b"}],"phones":["+44 20 7946 0018"]`)
	rec("b3", "Flo Gee", `"devices":[{"fingerprint":"ring-b"}],"phones":["+44 20 7946 0018"]`)
	return b.String()
}

func TestBridgesTwoRingsJoinedByOneDevice(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, 100)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(twoRings()), 0), nil); err != nil {
		t.Fatal(err)
	}
	r, err := e.Record(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.Cluster(ctx, r.Clusters[graph.Operator])
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != 6 {
		t.Fatalf("operator cluster of a1 has %v; the fixture wants both rings in it", c.Records)
	}
	bs, err := e.Bridges(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []Bridge{{Kind: "device", Value: "bridge-dev", Parts: [][]string{{"a1", "a2", "a3"}, {"b1", "b2", "b3"}}}}
	if !slices.EqualFunc(bs, want, equalBridge) {
		t.Fatalf("bridges %+v, want %+v", bs, want)
	}

	// Remove the bridge: give b1 a payout of ring A too. Nothing splits the cluster then.
	more := strings.Replace(strings.Split(twoRings(), "\n")[3], `"phones"`, `"payments":[{"kind":"payoneer","value":"PA-1"}],"phones"`, 1)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(more), 0), nil); err != nil {
		t.Fatal(err)
	}
	if r, err = e.Record(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if bs, err = e.Bridges(ctx, r.Clusters[graph.Operator]); err != nil || len(bs) != 0 {
		t.Fatalf("after a second link between the rings: bridges %+v, %v; want none", bs, err)
	}
	if _, err := e.Bridges(ctx, "o-nosuchcluster"); err == nil {
		t.Fatal("unknown cluster: no error")
	}
}

func equalBridge(x, y Bridge) bool {
	return x.Kind == y.Kind && x.Value == y.Value && slices.EqualFunc(x.Parts, y.Parts, slices.Equal)
}

// TestBridgesOfShapes checks the hand-written Tarjan step on shapes whose cut values are
// known: a star's centre (the DFS root's case), every value of a chain (the non-root
// case, most balanced split first), and a cycle, which has none.
func TestBridgesOfShapes(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		lines []string // extra JSON per record id r0..rn
		want  []string // kind:value of the bridges, in Bridges order
	}{
		{"star", []string{`"devices":[{"fingerprint":"hub"}]`, `"devices":[{"fingerprint":"hub"}]`, `"devices":[{"fingerprint":"hub"}]`}, []string{"device:hub"}},
		{"chain", []string{`"devices":[{"fingerprint":"x"}]`, `"devices":[{"fingerprint":"x"},{"fingerprint":"y"}]`, `"devices":[{"fingerprint":"y"},{"fingerprint":"z"}]`, `"devices":[{"fingerprint":"z"}]`},
			[]string{"device:y", "device:x", "device:z"}},
		{"cycle", []string{`"devices":[{"fingerprint":"x"},{"fingerprint":"w"}]`, `"devices":[{"fingerprint":"x"},{"fingerprint":"y"}]`, `"devices":[{"fingerprint":"y"},{"fingerprint":"w"}]`}, nil},
		// Two records held together by one value: that value is all that links them.
		{"pair", []string{`"devices":[{"fingerprint":"x"}]`, `"devices":[{"fingerprint":"x"}]`}, []string{"device:x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEngine(t, 100)
			var in strings.Builder
			var ids []string
			for i, extra := range c.lines {
				id := fmt.Sprintf("r%d", i)
				ids = append(ids, id)
				fmt.Fprintf(&in, `{"record_id":%q,"source":"s","observed_at":"2026-01-01T00:00:00Z",%s}`+"\n", id, extra)
			}
			if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(in.String()), 0), &IngestOptions{SkipCluster: true}); err != nil {
				t.Fatal(err)
			}
			v, err := e.Store().NewView(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			bs, err := bridgesOf(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range bs {
				got = append(got, b.Kind+":"+b.Value)
				n := 0
				for _, p := range b.Parts {
					n += len(p)
				}
				if len(b.Parts) < 2 || n != len(ids) {
					t.Errorf("%s:%s parts %v: want two or more covering all %d records", b.Kind, b.Value, b.Parts, len(ids))
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("bridges %q, want %q", got, c.want)
			}
		})
	}
}
