package graph

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/personagraph/personagraph/ingest"
)

func TestLabels(t *testing.T) {
	ctx := context.Background()
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	puts := []*Label{
		{Kind: "address", Value: "gb|ls1 4ab|10", Label: "benign_hub", By: "ann", At: t0},
		{Kind: "address", Value: "gb|ls1 4ab|10", Label: "confirmed_farm", By: "bob", At: t0.Add(time.Hour), Note: "seen in raid"},
		// A value that extends the first one must not be read as its history.
		{Kind: "address", Value: "gb|ls1 4ab|100", Label: "benign_hub", By: "ann", At: t0.Add(2 * time.Hour)},
		{ClusterID: "o-abc", Label: "dismissed", By: "ann", At: t0.Add(3 * time.Hour)},
		{ClusterID: "o-abc", Label: "confirmed_ring", By: "bob", At: t0.Add(4 * time.Hour)},
		{ClusterID: "o-ab", Label: "dismissed", By: "bob", At: t0.Add(5 * time.Hour)},
	}
	for _, l := range puts {
		if err := s.PutLabel(ctx, l, []string{"rec-1", "rec-2"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []*Label{{Label: "x", By: "a"}, {Kind: "a", Value: "b", ClusterID: "o-x", Label: "x"}, {ClusterID: "o-x"}} {
		if err := s.PutLabel(ctx, bad, nil); !errors.Is(err, ErrBadLabel) {
			t.Errorf("PutLabel(%+v) = %v, want ErrBadLabel", bad, err)
		}
	}

	latest := []struct {
		kind, value, cluster, want string
	}{
		{"address", "gb|ls1 4ab|10", "", "confirmed_farm"},
		{"address", "gb|ls1 4ab|100", "", "benign_hub"},
		{"", "", "o-abc", "confirmed_ring"},
		{"", "", "o-ab", "dismissed"},
	}
	for _, tc := range latest {
		l, err := s.LatestLabel(ctx, ingest.Kind(tc.kind), tc.value, tc.cluster)
		if err != nil || l.Label != tc.want {
			t.Errorf("LatestLabel(%q, %q, %q) = %+v, %v; want %s", tc.kind, tc.value, tc.cluster, l, err, tc.want)
		}
	}
	if _, err := s.LatestLabel(ctx, "address", "gb|ls1 4ab|1", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unlabelled value: %v, want ErrNotFound", err)
	}

	collect := func(q LabelQuery) []string {
		var out []string
		if err := s.ForEachLabel(ctx, q, func(l *Label) error {
			out = append(out, l.Label+"@"+l.By)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    LabelQuery
		want string
	}{
		{"one value's history", LabelQuery{Kind: "address", Value: "gb|ls1 4ab|10"}, "benign_hub@ann confirmed_farm@bob"},
		{"one cluster", LabelQuery{ClusterID: "o-abc"}, "dismissed@ann confirmed_ring@bob"},
		{"one kind", LabelQuery{Kind: "address"}, "benign_hub@ann confirmed_farm@bob benign_hub@ann"},
		{"clusters only", LabelQuery{OnlyClusters: true}, "dismissed@bob dismissed@ann confirmed_ring@bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(collect(tc.q), " "); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	if n := len(collect(LabelQuery{})); n != len(puts) {
		t.Fatalf("%d labels in all, want %d", n, len(puts))
	}

	// Every label wrote an audit entry naming the records by hash, never the value.
	n := 0
	if err := s.ForEachAudit(ctx, func(e *AuditEntry) error {
		if e.Action == ActionLabel {
			n++
			if len(e.RecordHashes) != 2 || e.RecordHashes[0] != HashRecordID("rec-1") || strings.Contains(e.Reason, "ls1") {
				t.Errorf("audit entry %+v", e)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != len(puts) {
		t.Fatalf("%d label audit entries, want %d", n, len(puts))
	}
}
